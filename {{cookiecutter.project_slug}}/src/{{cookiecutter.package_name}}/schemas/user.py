from typing import Annotated

from pydantic import MISSING, AfterValidator, Field, StringConstraints

from .common import INVISIBLE, Name, RequestBody, ResponseBody, composed, lowered

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


class UserCreate(RequestBody):
    email: Email
    name: Name


class UserUpdate(RequestBody):
    """Fields left out stay as they are."""

    email: Email | MISSING = MISSING
    name: Name | MISSING = MISSING


class UserRead(ResponseBody):
    id: int
    email: str
    name: str
