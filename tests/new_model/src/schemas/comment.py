from typing import Annotated

from pydantic import MISSING, StringConstraints

from .common import SHOWS, RequestBody, ResponseBody, StrictId

# Text with a character that shows and no control character, as the document's pattern
# says (see Name).
Body = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=SHOWS),
]


class CommentCreate(RequestBody):
    body: Body
    task_id: StrictId


class CommentUpdate(RequestBody):
    """Fields left out stay as they are."""

    body: Body | MISSING = MISSING


class CommentRead(ResponseBody):
    id: int
    body: str
    task_id: int
