from typing import Annotated

from pydantic import BaseModel, StringConstraints

from .common import Name, RowRead

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]


class UserCreate(BaseModel):
    email: Email
    name: Name


class UserUpdate(BaseModel):
    """Fields left out stay as they are."""

    email: Email | None = None
    name: Name | None = None


class UserRead(RowRead):
    id: int
    email: str
    name: str
