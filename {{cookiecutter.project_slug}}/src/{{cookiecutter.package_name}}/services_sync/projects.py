from sqlalchemy import select
from sqlalchemy.orm import Session

from ..keyset import Order
from ..models import Project
from ..schemas import PageOfRows, ProjectCreate, ProjectUpdate
from .rows import add, change, get_or_404, paginate

BY_ID = Order(Project.id)


def create_project(session: Session, *, body: ProjectCreate) -> Project:
    return add(session, Project(**body.model_dump()))


def list_projects(
    session: Session, *, owner_id: int | None, cursor: str | None, limit: int
) -> PageOfRows[Project]:
    query = select(Project)
    if owner_id is not None:
        query = query.where(Project.owner_id == owner_id)
    return paginate(session, query, BY_ID, cursor, limit)


def get_project(session: Session, *, project_id: int, lock: bool = False) -> Project:
    return get_or_404(session, Project, project_id, lock=lock)


def update_project(session: Session, *, project_id: int, body: ProjectUpdate) -> Project:
    project = get_project(session, project_id=project_id, lock=True)
    return change(session, project, body.model_dump(exclude_unset=True))


def delete_project(session: Session, *, project_id: int) -> None:
    """The database deletes its tasks."""
    session.delete(get_project(session, project_id=project_id, lock=True))
