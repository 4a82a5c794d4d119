from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .ids import Id

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ProjectCreate(BaseModel):
    name: Name
    owner_id: Id


class ProjectUpdate(BaseModel):
    """Fields left out stay as they are."""

    name: Name | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    owner_id: int
