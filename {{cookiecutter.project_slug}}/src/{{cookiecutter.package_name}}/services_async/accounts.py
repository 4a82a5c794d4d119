from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, User
from ..schemas import AccountCreate
from .rows import add, get_or_404


async def create_account(
    session: AsyncSession, *, body: AccountCreate, password_hash: str
) -> Account:
    """A user and their account; an e-mail in use is a 409."""
    user = await add(session, User(email=body.email, name=body.name))
    return await add(session, Account(user_id=user.id, password_hash=password_hash, role="member"))


async def account_of(session: AsyncSession, *, email: str) -> Account | None:
    return await session.scalar(select(Account).join(User).where(User.email == email))


async def get_account(session: AsyncSession, *, account_id: int) -> Account:
    return await get_or_404(session, Account, account_id)
