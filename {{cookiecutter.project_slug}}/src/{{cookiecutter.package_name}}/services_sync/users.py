from sqlalchemy import select
from sqlalchemy.orm import Session

from ..keyset import Order
from ..models import User
from ..schemas import PageOfRows, UserCreate, UserUpdate
from .rows import add, change, get_or_404, paginate

BY_ID = Order(User.id)


def create_user(session: Session, *, body: UserCreate) -> User:
    return add(session, User(**body.model_dump()))


def list_users(session: Session, *, cursor: str | None, limit: int) -> PageOfRows[User]:
    return paginate(session, select(User), BY_ID, cursor, limit)


def get_user(session: Session, *, user_id: int, lock: bool = False) -> User:
    return get_or_404(session, User, user_id, lock=lock)


def update_user(session: Session, *, user_id: int, body: UserUpdate) -> User:
    user = get_user(session, user_id=user_id, lock=True)
    return change(session, user, body.model_dump(exclude_unset=True))


def delete_user(session: Session, *, user_id: int) -> None:
    """The database deletes their projects and those projects' tasks, and unassigns the rest."""
    session.delete(get_user(session, user_id=user_id, lock=True))
