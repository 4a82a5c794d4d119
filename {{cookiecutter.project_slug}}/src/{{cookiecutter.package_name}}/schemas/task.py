from typing import Annotated

from pydantic import MISSING, Field, StrictBool, StringConstraints

from .common import RequestBody, ResponseBody, StrictId
from .tag import TagRead

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Bounded: the ids go into one IN (...), whose parameters the database limits.
TagIds = Annotated[list[StrictId], Field(max_length=100)]


class TaskCreate(RequestBody):
    title: Title
    project_id: StrictId
    assignee_id: StrictId | None = None
    done: StrictBool = False
    tag_ids: TagIds = Field(default=[])


class TaskUpdate(RequestBody):
    """Fields left out stay as they are; assignee_id null unassigns the task."""

    title: Title | MISSING = MISSING
    done: StrictBool | MISSING = MISSING
    assignee_id: StrictId | MISSING | None = MISSING
    tag_ids: TagIds | MISSING = MISSING


class TaskRead(ResponseBody):
    id: int
    title: str
    done: bool
    project_id: int
    assignee_id: int | None
    tags: list[TagRead]
