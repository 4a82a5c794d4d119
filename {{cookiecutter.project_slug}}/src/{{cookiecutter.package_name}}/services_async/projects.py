from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..keyset import Order
from ..models import Project
from ..schemas import PageOfRows, ProjectCreate, ProjectUpdate
from .rows import add, change, get_or_404, paginate

BY_ID = Order(Project.id)


async def create_project(session: AsyncSession, *, body: ProjectCreate) -> Project:
    return await add(session, Project(**body.model_dump()))


async def list_projects(
    session: AsyncSession, *, owner_id: int | None, cursor: str | None, limit: int
) -> PageOfRows[Project]:
    query = select(Project)
    if owner_id is not None:
        query = query.where(Project.owner_id == owner_id)
    return await paginate(session, query, BY_ID, cursor, limit)


async def get_project(session: AsyncSession, *, project_id: int, lock: bool = False) -> Project:
    return await get_or_404(session, Project, project_id, lock=lock)


async def update_project(session: AsyncSession, *, project_id: int, body: ProjectUpdate) -> Project:
    project = await get_project(session, project_id=project_id, lock=True)
    return await change(session, project, body.model_dump(exclude_unset=True))


async def delete_project(session: AsyncSession, *, project_id: int) -> None:
    """The database deletes its tasks."""
    await session.delete(await get_project(session, project_id=project_id, lock=True))
