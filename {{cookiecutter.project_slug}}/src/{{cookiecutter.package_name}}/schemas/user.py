from typing import Annotated

from pydantic import MISSING, AfterValidator, Field, StringConstraints

from .common import INVISIBLE, Input, Name, RowRead, composed, lowered

_PART = rf"[^@{INVISIBLE}]+"
# Composed and in lower case, measured again once composed (see TagName).
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=rf"^{_PART}@{_PART}\.{_PART}$"
    ),
    AfterValidator(composed),
    AfterValidator(lowered),
    Field(max_length=254),
]


class UserCreate(Input):
    email: Email
    name: Name


class UserUpdate(Input):
    """Fields left out stay as they are."""

    email: Email | MISSING = MISSING
    name: Name | MISSING = MISSING


class UserRead(RowRead):
    id: int
    email: str
    name: str
