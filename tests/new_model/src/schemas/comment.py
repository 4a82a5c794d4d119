from typing import Annotated

from pydantic import BaseModel, StringConstraints

from .common import Id, RowRead

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class CommentCreate(BaseModel):
    body: Body
    task_id: Id


class CommentUpdate(BaseModel):
    """Fields left out stay as they are."""

    body: Body | None = None


class CommentRead(RowRead):
    id: int
    body: str
    task_id: int
