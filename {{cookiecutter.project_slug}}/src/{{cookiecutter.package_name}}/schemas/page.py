from collections.abc import Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One slice of a list, with the total number of matching rows."""

    items: list[Item]
    total: int
    limit: int
    offset: int


class Rows(Generic[Item]):
    """What a service returns for a Page: one page of a query's rows, and how many rows the
    whole query matches. Not a dataclass: FastAPI versions that turn a returned dataclass
    into a dict deep-copy it."""

    def __init__(self, items: Sequence[Item], total: int, limit: int, offset: int) -> None:
        self.items = items
        self.total = total
        self.limit = limit
        self.offset = offset
