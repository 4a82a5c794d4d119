from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict
from ..keyset import Order
from ..models import Project, Tag, Task
from ..schemas import PageOfRows, TaskCreate, TaskUpdate
from .rows import add, change, get_or_404, paginate

# TaskRead includes the tags: load them with the task, never lazily afterwards.
WITH_TAGS = selectinload(Task.tags)
BY_ID = Order(Task.id)


def check_project(session: Session, project_id: int, owned_by: int | None) -> None:
    """A task goes only into a project of the user's: someone else's is answered as a
    project that does not exist; the database checks that one exists."""
    if owned_by is None:
        return
    query = select(Project.id).where(Project.id == project_id, *Project.visible_to(owned_by))
    if session.scalar(query) is None:
        raise Conflict("project_id refers to no row of projects")


def tags_by_id(session: Session, tag_ids: Sequence[int]) -> list[Tag]:
    tags = session.scalars(select(Tag).where(Tag.id.in_(tag_ids))).all()
    if missing := set(tag_ids) - {tag.id for tag in tags}:
        raise Conflict(f"tag_ids {sorted(missing)} refer to no row of tags")
    return list(tags)


def create_task(session: Session, *, body: TaskCreate, owned_by: int | None) -> Task:
    check_project(session, body.project_id, owned_by)
    task = Task(**body.model_dump(exclude={"tag_ids"}), tags=tags_by_id(session, body.tag_ids))
    return add(session, task)


def list_tasks(
    session: Session,
    *,
    project_id: int | None,
    cursor: str | None,
    limit: int,
    owned_by: int | None,
) -> PageOfRows[Task]:
    query = select(Task).options(WITH_TAGS).where(*Task.visible_to(owned_by))
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    return paginate(session, query, BY_ID, cursor, limit)


def get_task(session: Session, *, task_id: int, owned_by: int | None, lock: bool = False) -> Task:
    return get_or_404(session, Task, task_id, WITH_TAGS, lock=lock, where=Task.visible_to(owned_by))


def update_task(session: Session, *, task_id: int, body: TaskUpdate, owned_by: int | None) -> Task:
    """tag_ids, when given, replaces the task's tags."""
    task = get_task(session, task_id=task_id, owned_by=owned_by, lock=True)
    if body.tag_ids is not MISSING:
        task.tags = tags_by_id(session, body.tag_ids)
    return change(session, task, body.model_dump(exclude_unset=True, exclude={"tag_ids"}))


def delete_task(session: Session, *, task_id: int, owned_by: int | None) -> None:
    task = get_task(session, task_id=task_id, owned_by=owned_by, lock=True)
    session.delete(task)
