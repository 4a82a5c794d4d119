from typing import Annotated

from fastapi import Query

from ..schemas import INTEGER_MAX, WrittenPlainly

Limit = Annotated[int, Query(ge=1, le=100), WrittenPlainly]
Offset = Annotated[int, Query(ge=0, le=INTEGER_MAX), WrittenPlainly]
