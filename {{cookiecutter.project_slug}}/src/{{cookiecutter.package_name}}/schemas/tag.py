from typing import Annotated

from pydantic import MISSING, AfterValidator, Field, StringConstraints

from .common import Input, RowRead

# Stored in lower case, so names are unique regardless of case; measured again once lowered,
# which can lengthen a name ("İ" becomes two characters).
TagName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    AfterValidator(str.lower),
    Field(max_length=50),
]


class TagCreate(Input):
    name: TagName


class TagUpdate(Input):
    """Fields left out stay as they are."""

    name: TagName | MISSING = MISSING


class TagRead(RowRead):
    id: int
    name: str
