from typing import Annotated

from pydantic import BaseModel, StringConstraints

from .common import RowRead

# Stored in lower case, so names are unique regardless of case.
TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50)
]


class TagCreate(BaseModel):
    name: TagName


class TagUpdate(BaseModel):
    """Fields left out stay as they are."""

    name: TagName | None = None


class TagRead(RowRead):
    id: int
    name: str
