from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ..errors import Conflict
from ..keyset import Order
from ..models import Tag, Task
from ..schemas import PageOfRows, TaskCreate, TaskUpdate
from .rows import add, change, get_or_404, paginate

# TaskRead includes the tags: load them with the task, never lazily afterwards.
WITH_TAGS = selectinload(Task.tags)
BY_ID = Order(Task.id)


async def tags_by_id(session: AsyncSession, tag_ids: Sequence[int]) -> list[Tag]:
    tags = (await session.scalars(select(Tag).where(Tag.id.in_(tag_ids)))).all()
    if missing := set(tag_ids) - {tag.id for tag in tags}:
        raise Conflict(f"tag_ids {sorted(missing)} refer to no row of tags")
    return list(tags)


async def create_task(session: AsyncSession, *, body: TaskCreate) -> Task:
    tags = await tags_by_id(session, body.tag_ids)
    return await add(session, Task(**body.model_dump(exclude={"tag_ids"}), tags=tags))


async def list_tasks(
    session: AsyncSession, *, project_id: int | None, cursor: str | None, limit: int
) -> PageOfRows[Task]:
    query = select(Task).options(WITH_TAGS)
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    return await paginate(session, query, BY_ID, cursor, limit)


async def get_task(session: AsyncSession, *, task_id: int, lock: bool = False) -> Task:
    return await get_or_404(session, Task, task_id, WITH_TAGS, lock=lock)


async def update_task(session: AsyncSession, *, task_id: int, body: TaskUpdate) -> Task:
    """tag_ids, when given, replaces the task's tags."""
    task = await get_task(session, task_id=task_id, lock=True)
    if body.tag_ids is not MISSING:
        task.tags = await tags_by_id(session, body.tag_ids)
    return await change(session, task, body.model_dump(exclude_unset=True, exclude={"tag_ids"}))


async def delete_task(session: AsyncSession, *, task_id: int) -> None:
    await session.delete(await get_task(session, task_id=task_id, lock=True))
