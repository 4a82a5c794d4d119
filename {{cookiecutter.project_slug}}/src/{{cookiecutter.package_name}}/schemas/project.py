from pydantic import MISSING

from .common import Id, Input, Name, RowRead


class ProjectCreate(Input):
    name: Name
    owner_id: Id


class ProjectUpdate(Input):
    """Fields left out stay as they are."""

    name: Name | MISSING = MISSING


class ProjectRead(RowRead):
    id: int
    name: str
    owner_id: int
