from fastapi import APIRouter

{% if cookiecutter.auth == "password" -%}
from ..auth.access import PUBLIC
{% endif -%}
from ..errors import Conflict, NotFound, responses
from ..models import Project
from ..schemas import Id, Page, PageOfRows, ProjectCreate, ProjectRead, ProjectUpdate
from ..services import projects
from .dependencies import DatabaseDep
from .paging import Cursor, Limit

router = APIRouter(prefix="/projects", tags=["projects"]{% if cookiecutter.auth == "password" %}, dependencies=[PUBLIC]{% endif %})


@router.post("", status_code=201, response_model=ProjectRead, responses=responses(Conflict))
async def create_project(body: ProjectCreate, database: DatabaseDep) -> Project:
    """Create a project; its name must be unique for its owner."""
    return await database.write(projects.create_project, body=body)


@router.get("", response_model=Page[ProjectRead])
async def list_projects(
    database: DatabaseDep, owner_id: Id | None = None, cursor: Cursor = None, limit: Limit = 50
) -> PageOfRows[Project]:
    """List projects by id, optionally those of one owner."""
    return await database.read(
        projects.list_projects, owner_id=owner_id, cursor=cursor, limit=limit
    )


@router.get("/{project_id}", response_model=ProjectRead, responses=responses(NotFound))
async def read_project(project_id: Id, database: DatabaseDep) -> Project:
    """Read one project."""
    return await database.read(projects.get_project, project_id=project_id)


@router.patch("/{project_id}", response_model=ProjectRead, responses=responses(NotFound, Conflict))
async def update_project(project_id: Id, body: ProjectUpdate, database: DatabaseDep) -> Project:
    """Rename a project."""
    return await database.write(projects.update_project, project_id=project_id, body=body)


@router.delete("/{project_id}", status_code=204, responses=responses(NotFound))
async def delete_project(project_id: Id, database: DatabaseDep) -> None:
    """Delete a project and its tasks."""
    await database.write(projects.delete_project, project_id=project_id)
