from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ..errors import Conflict
from ..keyset import Order
from ..models import Project, Tag, Task
from ..schemas import PageOfRows, TaskCreate, TaskUpdate
from .rows import add, change, get_or_404, paginate

# TaskRead includes the tags: load them with the task, never lazily afterwards.
WITH_TAGS = selectinload(Task.tags)
BY_ID = Order(Task.id)


async def check_project(session: AsyncSession, project_id: int, owned_by: int | None) -> None:
    """A task goes only into a project of the user's: someone else's is answered as a
    project that does not exist; the database checks that one exists."""
    if owned_by is None:
        return
    query = select(Project.id).where(Project.id == project_id, *Project.visible_to(owned_by))
    if await session.scalar(query) is None:
        raise Conflict("project_id refers to no row of projects")


async def tags_by_id(session: AsyncSession, tag_ids: Sequence[int]) -> list[Tag]:
    tags = (await session.scalars(select(Tag).where(Tag.id.in_(tag_ids)))).all()
    if missing := set(tag_ids) - {tag.id for tag in tags}:
        raise Conflict(f"tag_ids {sorted(missing)} refer to no row of tags")
    return list(tags)


async def create_task(session: AsyncSession, *, body: TaskCreate, owned_by: int | None) -> Task:
    await check_project(session, body.project_id, owned_by)
    tags = await tags_by_id(session, body.tag_ids)
    return await add(session, Task(**body.model_dump(exclude={"tag_ids"}), tags=tags))


async def list_tasks(
    session: AsyncSession,
    *,
    project_id: int | None,
    cursor: str | None,
    limit: int,
    owned_by: int | None,
) -> PageOfRows[Task]:
    query = select(Task).options(WITH_TAGS).where(*Task.visible_to(owned_by))
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    return await paginate(session, query, BY_ID, cursor, limit)


async def get_task(
    session: AsyncSession, *, task_id: int, owned_by: int | None, lock: bool = False
) -> Task:
    return await get_or_404(
        session, Task, task_id, WITH_TAGS, lock=lock, where=Task.visible_to(owned_by)
    )


async def update_task(
    session: AsyncSession, *, task_id: int, body: TaskUpdate, owned_by: int | None
) -> Task:
    """tag_ids, when given, replaces the task's tags."""
    task = await get_task(session, task_id=task_id, owned_by=owned_by, lock=True)
    if body.tag_ids is not MISSING:
        task.tags = await tags_by_id(session, body.tag_ids)
    return await change(session, task, body.model_dump(exclude_unset=True, exclude={"tag_ids"}))


async def delete_task(session: AsyncSession, *, task_id: int, owned_by: int | None) -> None:
    task = await get_task(session, task_id=task_id, owned_by=owned_by, lock=True)
    await session.delete(task)
