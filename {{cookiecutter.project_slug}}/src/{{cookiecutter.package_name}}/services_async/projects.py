from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..errors import Forbidden
from ..keyset import Order
from ..models import Project
from ..schemas import PageOfRows, ProjectCreate, ProjectUpdate
from .rows import add, change, get_or_404, paginate

BY_ID = Order(Project.id)


async def create_project(
    session: AsyncSession, *, body: ProjectCreate, owned_by: int | None
) -> Project:
    if owned_by not in (None, body.owner_id):
        raise Forbidden(f"a project you create is your own: owner_id must be {owned_by}")
    return await add(session, Project(**body.model_dump()))


async def list_projects(
    session: AsyncSession,
    *,
    owner_id: int | None,
    cursor: str | None,
    limit: int,
    owned_by: int | None,
) -> PageOfRows[Project]:
    query = select(Project).where(*Project.visible_to(owned_by))
    if owner_id is not None:
        query = query.where(Project.owner_id == owner_id)
    return await paginate(session, query, BY_ID, cursor, limit)


async def get_project(
    session: AsyncSession, *, project_id: int, owned_by: int | None, lock: bool = False
) -> Project:
    return await get_or_404(
        session, Project, project_id, lock=lock, where=Project.visible_to(owned_by)
    )


async def update_project(
    session: AsyncSession, *, project_id: int, body: ProjectUpdate, owned_by: int | None
) -> Project:
    project = await get_project(session, project_id=project_id, owned_by=owned_by, lock=True)
    return await change(session, project, body.model_dump(exclude_unset=True))


async def delete_project(session: AsyncSession, *, project_id: int, owned_by: int | None) -> None:
    """The database deletes its tasks."""
    project = await get_project(session, project_id=project_id, owned_by=owned_by, lock=True)
    await session.delete(project)
