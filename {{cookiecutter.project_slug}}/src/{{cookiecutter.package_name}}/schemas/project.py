from pydantic import BaseModel

from .common import Id, Name, RowRead


class ProjectCreate(BaseModel):
    name: Name
    owner_id: Id


class ProjectUpdate(BaseModel):
    """Fields left out stay as they are."""

    name: Name | None = None


class ProjectRead(RowRead):
    id: int
    name: str
    owner_id: int
