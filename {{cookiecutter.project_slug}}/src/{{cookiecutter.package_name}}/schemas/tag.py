from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50)
]


class TagCreate(BaseModel):
    name: Name


class TagUpdate(BaseModel):
    """Fields left out stay as they are."""

    name: Name | None = None


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
