from typing import Annotated

from pydantic import MISSING, AfterValidator, Field, StringConstraints

from .common import SHOWS, RequestBody, ResponseBody, composed, lowered

# Stored composed and in lower case, so names are unique regardless of case and of how an
# accent was typed; measured again once composed (see Name).
TagName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50, pattern=SHOWS),
    AfterValidator(composed),
    AfterValidator(lowered),
    Field(max_length=50),
]


class TagCreate(RequestBody):
    name: TagName


class TagUpdate(RequestBody):
    """Fields left out stay as they are."""

    name: TagName | MISSING = MISSING


class TagRead(ResponseBody):
    id: int
    name: str
