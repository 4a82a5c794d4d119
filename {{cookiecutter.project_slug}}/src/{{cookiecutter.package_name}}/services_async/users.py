from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..keyset import Order
from ..models import User
from ..schemas import PageOfRows, UserCreate, UserUpdate
from .rows import add, change, get_or_404, paginate

BY_ID = Order(User.id)


async def create_user(session: AsyncSession, *, body: UserCreate) -> User:
    return await add(session, User(**body.model_dump()))


async def list_users(session: AsyncSession, *, cursor: str | None, limit: int) -> PageOfRows[User]:
    return await paginate(session, select(User), BY_ID, cursor, limit)


async def get_user(session: AsyncSession, *, user_id: int, lock: bool = False) -> User:
    return await get_or_404(session, User, user_id, lock=lock)


async def update_user(session: AsyncSession, *, user_id: int, body: UserUpdate) -> User:
    user = await get_user(session, user_id=user_id, lock=True)
    return await change(session, user, body.model_dump(exclude_unset=True))


async def delete_user(session: AsyncSession, *, user_id: int) -> None:
    """The database deletes their projects and those projects' tasks, and unassigns the rest."""
    await session.delete(await get_user(session, user_id=user_id, lock=True))
