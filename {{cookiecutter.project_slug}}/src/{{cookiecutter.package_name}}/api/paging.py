from typing import Annotated

from fastapi import Query

from ..schemas import INTEGER_MAX

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=INTEGER_MAX)]
