from pydantic import MISSING

from .common import Name, RequestBody, ResponseBody, StrictId


class ProjectCreate(RequestBody):
    name: Name
    owner_id: StrictId


class ProjectUpdate(RequestBody):
    """Fields left out stay as they are."""

    name: Name | MISSING = MISSING


class ProjectRead(ResponseBody):
    id: int
    name: str
    owner_id: int
