from typing import Annotated

from pydantic import MISSING, StringConstraints

from .common import SHOWS, Input, RowRead, StrictId

# Text with a character that shows and no control character, as the document's pattern
# says (see Name).
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=SHOWS),
]


class CommentCreate(Input):
    body: Body
    task_id: StrictId


class CommentUpdate(Input):
    """Fields left out stay as they are."""

    body: Body | MISSING = MISSING


class CommentRead(RowRead):
    id: int
    body: str
    task_id: int
