from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a list, in the list's order. `next_cursor` is the page after it and
    `previous_cursor` the page before it: pass either as `cursor`. `next_cursor` is null on
    the last page, `previous_cursor` on the first. There is no total: counting a large table
    takes longer than a page, and the rows change while a client walks them."""

    items: list[Item]
    next_cursor: str | None
    previous_cursor: str | None


class PageOfRows(Generic[Item]):
    """What a service returns for a Page. Not a dataclass: FastAPI versions that turn a
    returned dataclass into a dict deep-copy it."""

    def __init__(
        self, items: Sequence[Item], next_cursor: str | None, previous_cursor: str | None
    ) -> None:
        self.items = items
        self.next_cursor = next_cursor
        self.previous_cursor = previous_cursor
