from typing import Annotated

from pydantic import BaseModel, StringConstraints

from .common import Id, RowRead
from .tag import TagRead

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class TaskCreate(BaseModel):
    title: Title
    project_id: Id
    assignee_id: Id | None = None
    done: bool = False
    tag_ids: list[Id] = []


class TaskUpdate(BaseModel):
    """Fields left out stay as they are; assignee_id null unassigns the task."""

    title: Title | None = None
    done: bool | None = None
    assignee_id: Id | None = None
    tag_ids: list[Id] | None = None


class TaskRead(RowRead):
    id: int
    title: str
    done: bool
    project_id: int
    assignee_id: int | None
    tags: list[TagRead]
