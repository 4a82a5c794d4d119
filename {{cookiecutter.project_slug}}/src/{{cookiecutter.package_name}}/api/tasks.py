from fastapi import APIRouter

from ..errors import Conflict, NotFound, responses
from ..models import Task
from ..schemas import Id, Page, PageOfRows, TaskCreate, TaskRead, TaskUpdate
from ..services import tasks
from .dependencies import DatabaseDep, OwnedBy
from .paging import Cursor, Limit

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.post("", status_code=201, response_model=TaskRead, responses=responses(Conflict))
async def create_task(body: TaskCreate, database: DatabaseDep, owned_by: OwnedBy) -> Task:
    """Create a task in a project, optionally assigned and tagged."""
    return await database.write(tasks.create_task, body=body, owned_by=owned_by)


@router.get("", response_model=Page[TaskRead])
async def list_tasks(
    database: DatabaseDep,
    owned_by: OwnedBy,
    project_id: Id | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PageOfRows[Task]:
    """List tasks by id, optionally those of one project."""
    return await database.read(
        tasks.list_tasks, project_id=project_id, cursor=cursor, limit=limit, owned_by=owned_by
    )


@router.get("/{task_id}", response_model=TaskRead, responses=responses(NotFound))
async def read_task(task_id: Id, database: DatabaseDep, owned_by: OwnedBy) -> Task:
    """Read one task with its tags."""
    return await database.read(tasks.get_task, task_id=task_id, owned_by=owned_by)


@router.patch("/{task_id}", response_model=TaskRead, responses=responses(NotFound, Conflict))
async def update_task(
    task_id: Id, body: TaskUpdate, database: DatabaseDep, owned_by: OwnedBy
) -> Task:
    """Change a task; tag_ids, when given, replaces its tags."""
    return await database.write(tasks.update_task, task_id=task_id, body=body, owned_by=owned_by)


@router.delete("/{task_id}", status_code=204, responses=responses(NotFound))
async def delete_task(task_id: Id, database: DatabaseDep, owned_by: OwnedBy) -> None:
    """Delete a task."""
    await database.write(tasks.delete_task, task_id=task_id, owned_by=owned_by)
