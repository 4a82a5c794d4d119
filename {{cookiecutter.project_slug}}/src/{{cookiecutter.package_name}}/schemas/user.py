from typing import Annotated

from pydantic import MISSING, AfterValidator, Field, StringConstraints

from .common import Input, Name, RowRead

# Characters spelt out rather than \s, which JSON Schema's, pydantic's and Python's regular
# expressions each read differently: no space, control character or byte order mark.
_PART = r"[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+"
# Lower case, measured again once lowered (see TagName).
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=254, pattern=rf"^{_PART}@{_PART}\.{_PART}$"
    ),
    AfterValidator(str.lower),
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
