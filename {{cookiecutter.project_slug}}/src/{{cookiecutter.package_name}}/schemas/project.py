from pydantic import MISSING

from .common import Input, Name, RowRead, StrictId


class ProjectCreate(Input):
    name: Name
    owner_id: StrictId


class ProjectUpdate(Input):
    """Fields left out stay as they are."""

    name: Name | MISSING = MISSING


class ProjectRead(RowRead):
    id: int
    name: str
    owner_id: int
