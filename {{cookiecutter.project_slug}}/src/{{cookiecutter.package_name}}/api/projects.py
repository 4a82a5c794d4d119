from fastapi import APIRouter

from ..errors import Conflict, {% if cookiecutter.auth == "password" %}Forbidden, {% endif %}NotFound, responses
from ..models import Project
from ..schemas import Id, Page, PageOfRows, ProjectCreate, ProjectRead, ProjectUpdate
from ..services import projects
from .dependencies import DatabaseDep, OwnedBy
from .paging import Cursor, Limit

router = APIRouter(prefix="/projects", tags=["projects"])


@router.post(
    "",
    status_code=201,
    response_model=ProjectRead,
    responses=responses(Conflict{% if cookiecutter.auth == "password" %}, Forbidden{% endif %}),
)
async def create_project(body: ProjectCreate, database: DatabaseDep, owned_by: OwnedBy) -> Project:
    """Create a project; its name must be unique for its owner."""
    return await database.write(projects.create_project, body=body, owned_by=owned_by)


@router.get("", response_model=Page[ProjectRead])
async def list_projects(
    database: DatabaseDep,
    owned_by: OwnedBy,
    owner_id: Id | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOfRows[Project]:
    """List projects by id, optionally those of one owner."""
    return await database.read(
        projects.list_projects, owner_id=owner_id, cursor=cursor, limit=limit, owned_by=owned_by
    )


@router.get("/{project_id}", response_model=ProjectRead, responses=responses(NotFound))
async def read_project(project_id: Id, database: DatabaseDep, owned_by: OwnedBy) -> Project:
    """Read one project."""
    return await database.read(projects.get_project, project_id=project_id, owned_by=owned_by)


@router.patch("/{project_id}", response_model=ProjectRead, responses=responses(NotFound, Conflict))
async def update_project(
    project_id: Id, body: ProjectUpdate, database: DatabaseDep, owned_by: OwnedBy
) -> Project:
    """Rename a project."""
    return await database.write(
        projects.update_project, project_id=project_id, body=body, owned_by=owned_by
    )


@router.delete("/{project_id}", status_code=204, responses=responses(NotFound))
async def delete_project(project_id: Id, database: DatabaseDep, owned_by: OwnedBy) -> None:
    """Delete a project and its tasks."""
    await database.write(projects.delete_project, project_id=project_id, owned_by=owned_by)
