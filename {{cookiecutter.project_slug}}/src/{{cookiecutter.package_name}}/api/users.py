from fastapi import APIRouter

{% if cookiecutter.auth == "password" -%}
from ..auth.access import role
{% endif -%}
from ..errors import Conflict, NotFound, responses
from ..models import User
from ..schemas import Id, Page, PageOfRows, UserCreate, UserRead, UserUpdate
from ..services import users
from .dependencies import DatabaseDep
from .paging import Cursor, Limit

router = APIRouter(prefix="/users", tags=["users"]{% if cookiecutter.auth == "password" %}, dependencies=[role("admin")]{% endif %})


@router.post("", status_code=201, response_model=UserRead, responses=responses(Conflict))
async def create_user(body: UserCreate, database: DatabaseDep) -> User:
    """Create a user; the e-mail must be unused."""
    return await database.write(users.create_user, body=body)


@router.get("", response_model=Page[UserRead])
async def list_users(
    database: DatabaseDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOfRows[User]:
    """List users by id."""
    return await database.read(users.list_users, cursor=cursor, limit=limit)


@router.get("/{user_id}", response_model=UserRead, responses=responses(NotFound))
async def read_user(user_id: Id, database: DatabaseDep) -> User:
    """Read one user."""
    return await database.read(users.get_user, user_id=user_id)


@router.patch("/{user_id}", response_model=UserRead, responses=responses(NotFound, Conflict))
async def update_user(user_id: Id, body: UserUpdate, database: DatabaseDep) -> User:
    """Change a user's e-mail or name."""
    return await database.write(users.update_user, user_id=user_id, body=body)


@router.delete("/{user_id}", status_code=204, responses=responses(NotFound))
async def delete_user(user_id: Id, database: DatabaseDep) -> None:
    """Delete a user, their projects and those projects' tasks; unassign their other tasks."""
    await database.write(users.delete_user, user_id=user_id)
