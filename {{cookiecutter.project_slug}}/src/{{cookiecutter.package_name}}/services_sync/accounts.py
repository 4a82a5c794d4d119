from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, User
from ..schemas import AccountCreate
from .rows import add, get_or_404


def create_account(session: Session, *, body: AccountCreate, password_hash: str) -> Account:
    """A user and their account; an e-mail in use is a 409."""
    user = add(session, User(email=body.email, name=body.name))
    return add(session, Account(user_id=user.id, password_hash=password_hash, role="member"))


def account_of(session: Session, *, email: str) -> Account | None:
    return session.scalar(select(Account).join(User).where(User.email == email))


def get_account(session: Session, *, account_id: int) -> Account:
    return get_or_404(session, Account, account_id)
