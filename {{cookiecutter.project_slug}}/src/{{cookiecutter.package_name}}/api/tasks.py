from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..db.session import ReadSession, Transaction
from ..errors import Conflict, NotFound, responses
from ..models import Tag, Task
from ..schemas import Page, TaskCreate, TaskRead, TaskUpdate
from .resources import Limit, Offset, add, change, get_or_404, paginate

router = APIRouter(prefix="/tasks", tags=["tasks"])

# TaskRead includes the tags: load them with the task, never lazily afterwards.
WITH_TAGS = selectinload(Task.tags)


def tags_by_id(session: Session, tag_ids: Sequence[int]) -> list[Tag]:
    tags = session.scalars(select(Tag).where(Tag.id.in_(tag_ids))).all()
    if missing := set(tag_ids) - {tag.id for tag in tags}:
        raise Conflict(f"tags {sorted(missing)} do not exist")
    return list(tags)


@router.post("", status_code=201, response_model=TaskRead, responses=responses(Conflict))
def create_task(body: TaskCreate, session: Transaction) -> Task:
    """Create a task in a project, optionally assigned and tagged."""
    task = Task(**body.model_dump(exclude={"tag_ids"}), tags=tags_by_id(session, body.tag_ids))
    return add(session, task)


@router.get("", response_model=Page[TaskRead])
def list_tasks(
    session: ReadSession, project_id: int | None = None, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    """List tasks by id, optionally those of one project."""
    query = select(Task).options(WITH_TAGS).order_by(Task.id)
    if project_id is not None:
        query = query.where(Task.project_id == project_id)
    return paginate(session, query, limit, offset)


@router.get("/{task_id}", response_model=TaskRead, responses=responses(NotFound))
def read_task(task_id: int, session: ReadSession) -> Task:
    """Read one task with its tags."""
    return get_or_404(session, Task, task_id, WITH_TAGS)


@router.patch("/{task_id}", response_model=TaskRead, responses=responses(NotFound, Conflict))
def update_task(task_id: int, body: TaskUpdate, session: Transaction) -> Task:
    """Change a task; tag_ids, when given, replaces its tags."""
    task = get_or_404(session, Task, task_id, WITH_TAGS)
    if body.tag_ids is not None:
        task.tags = tags_by_id(session, body.tag_ids)
    return change(session, task, body.model_dump(exclude_unset=True, exclude={"tag_ids"}))


@router.delete("/{task_id}", status_code=204, responses=responses(NotFound))
def delete_task(task_id: int, session: Transaction) -> None:
    """Delete a task."""
    session.delete(get_or_404(session, Task, task_id))
