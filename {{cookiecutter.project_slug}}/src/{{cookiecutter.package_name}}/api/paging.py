from typing import Annotated

from fastapi import Query

from ..keyset import CURSOR_LENGTH
from ..schemas import WrittenPlainly

Limit = Annotated[int, Query(ge=1, le=100), WrittenPlainly]
# URL-safe base64, which the list checks (keyset.py).
Cursor = Annotated[
    str | None,
    Query(
        description="A page's next_cursor or previous_cursor, for the page after or before it",
        min_length=1,
        max_length=CURSOR_LENGTH,
        pattern="^[A-Za-z0-9_-]+$",
    ),
]
