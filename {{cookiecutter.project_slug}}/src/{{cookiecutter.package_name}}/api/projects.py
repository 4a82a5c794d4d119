from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from ..db.session import ReadSession, Transaction
from ..errors import Conflict, NotFound, responses
from ..models import Project
from ..schemas import Page, ProjectCreate, ProjectRead, ProjectUpdate
from .resources import Limit, Offset, add, change, get_or_404, paginate

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post("", status_code=201, response_model=ProjectRead, responses=responses(Conflict))
def create_project(body: ProjectCreate, session: Transaction) -> Project:
    """Create a project; its name must be unique for its owner."""
    return add(session, Project(**body.model_dump()))


@router.get("", response_model=Page[ProjectRead])
def list_projects(
    session: ReadSession, owner_id: int | None = None, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    """List projects by id, optionally those of one owner."""
    query = select(Project).order_by(Project.id)
    if owner_id is not None:
        query = query.where(Project.owner_id == owner_id)
    return paginate(session, query, limit, offset)


@router.get("/{project_id}", response_model=ProjectRead, responses=responses(NotFound))
def read_project(project_id: int, session: ReadSession) -> Project:
    """Read one project."""
    return get_or_404(session, Project, project_id)


@router.patch("/{project_id}", response_model=ProjectRead, responses=responses(NotFound, Conflict))
def update_project(project_id: int, body: ProjectUpdate, session: Transaction) -> Project:
    """Rename a project."""
    project = get_or_404(session, Project, project_id)
    return change(session, project, body.model_dump(exclude_unset=True))


@router.delete("/{project_id}", status_code=204, responses=responses(NotFound))
def delete_project(project_id: int, session: Transaction) -> None:
    """Delete a project and its tasks."""
    session.delete(get_or_404(session, Project, project_id))
