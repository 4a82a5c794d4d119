from typing import Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One slice of a list, with the total number of matching rows."""

    items: list[Item]
    total: int
    limit: int
    offset: int
