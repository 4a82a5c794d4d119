from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Forbidden
from ..keyset import Order
from ..models import Project
from ..schemas import PageOfRows, ProjectCreate, ProjectUpdate
from .rows import add, change, get_or_404, paginate

BY_ID = Order(Project.id)


def create_project(session: Session, *, body: ProjectCreate, owned_by: int | None) -> Project:
    if owned_by not in (None, body.owner_id):
        raise Forbidden(f"a project you create is your own: owner_id must be {owned_by}")
    return add(session, Project(**body.model_dump()))


def list_projects(
    session: Session,
    *,
    owner_id: int | None,
    cursor: str | None,
    limit: int,
    owned_by: int | None,
) -> PageOfRows[Project]:
    query = select(Project).where(*Project.visible_to(owned_by))
    if owner_id is not None:
        query = query.where(Project.owner_id == owner_id)
    return paginate(session, query, BY_ID, cursor, limit)


def get_project(
    session: Session, *, project_id: int, owned_by: int | None, lock: bool = False
) -> Project:
    return get_or_404(session, Project, project_id, lock=lock, where=Project.visible_to(owned_by))


def update_project(
    session: Session, *, project_id: int, body: ProjectUpdate, owned_by: int | None
) -> Project:
    project = get_project(session, project_id=project_id, owned_by=owned_by, lock=True)
    return change(session, project, body.model_dump(exclude_unset=True))


def delete_project(session: Session, *, project_id: int, owned_by: int | None) -> None:
    """The database deletes its tasks."""
    project = get_project(session, project_id=project_id, owned_by=owned_by, lock=True)
    session.delete(project)
