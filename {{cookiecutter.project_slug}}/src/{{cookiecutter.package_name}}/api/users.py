from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from ..db.session import ReadSession, Transaction
from ..errors import Conflict, NotFound, responses
from ..models import User
from ..schemas import Page, UserCreate, UserRead, UserUpdate
from .resources import Limit, Offset, add, change, get_or_404, paginate

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=201, response_model=UserRead, responses=responses(Conflict))
def create_user(body: UserCreate, session: Transaction) -> User:
    """Create a user; the e-mail must be unused."""
    return add(session, User(**body.model_dump()))


@router.get("", response_model=Page[UserRead])
def list_users(session: ReadSession, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """List users by id."""
    return paginate(session, select(User).order_by(User.id), limit, offset)


@router.get("/{user_id}", response_model=UserRead, responses=responses(NotFound))
def read_user(user_id: int, session: ReadSession) -> User:
    """Read one user."""
    return get_or_404(session, User, user_id)


@router.patch("/{user_id}", response_model=UserRead, responses=responses(NotFound, Conflict))
def update_user(user_id: int, body: UserUpdate, session: Transaction) -> User:
    """Change a user's e-mail or name."""
    user = get_or_404(session, User, user_id)
    return change(session, user, body.model_dump(exclude_unset=True))


@router.delete("/{user_id}", status_code=204, responses=responses(NotFound))
def delete_user(user_id: int, session: Transaction) -> None:
    """Delete a user, their projects and those projects' tasks; unassign their other tasks."""
    session.delete(get_or_404(session, User, user_id))
