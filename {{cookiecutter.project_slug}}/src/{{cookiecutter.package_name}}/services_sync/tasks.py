from collections.abc import Sequence

from pydantic import MISSING
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict
from ..keyset import Order
from ..models import Tag, Task
from ..schemas import PageOfRows, TaskCreate, TaskUpdate
from .rows import add, change, get_or_404, paginate

# TaskRead includes the tags: load them with the task, never lazily afterwards.
WITH_TAGS = selectinload(Task.tags)
BY_ID = Order(Task.id)


def tags_by_id(session: Session, tag_ids: Sequence[int]) -> list[Tag]:
    tags = session.scalars(select(Tag).where(Tag.id.in_(tag_ids))).all()
    if missing := set(tag_ids) - {tag.id for tag in tags}:
        raise Conflict(f"tag_ids {sorted(missing)} refer to no row of tags")
    return list(tags)


def create_task(session: Session, *, body: TaskCreate) -> Task:
    task = Task(**body.model_dump(exclude={"tag_ids"}), tags=tags_by_id(session, body.tag_ids))
    return add(session, task)


def list_tasks(
    session: Session, *, project_id: int | None, cursor: str | None, limit: int
) -> PageOfRows[Task]:
    query = select(Task).options(WITH_TAGS)
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    return paginate(session, query, BY_ID, cursor, limit)


def get_task(session: Session, *, task_id: int, lock: bool = False) -> Task:
    return get_or_404(session, Task, task_id, WITH_TAGS, lock=lock)


def update_task(session: Session, *, task_id: int, body: TaskUpdate) -> Task:
    """tag_ids, when given, replaces the task's tags."""
    task = get_task(session, task_id=task_id, lock=True)
    if body.tag_ids is not MISSING:
        task.tags = tags_by_id(session, body.tag_ids)
    return change(session, task, body.model_dump(exclude_unset=True, exclude={"tag_ids"}))


def delete_task(session: Session, *, task_id: int) -> None:
    session.delete(get_task(session, task_id=task_id, lock=True))
