"""What every schema shares: bounded ids, names, closed request bodies, and reading a row
from its ORM object.

An INTEGER holds 32 bits on some databases and 64 on others; a larger number in a path, a
filter or a body would reach the driver and fail there. Bounded here, it is a 422 before
any work starts.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

INTEGER_MAX = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=INTEGER_MAX)]
# An id in a body, where JSON carries numbers: "1" or true is refused, as the document says.
# (Strict per field, not per model: FastAPI validates a body once parsed, as Python objects,
# and a strict model would refuse the strings JSON carries dates, UUIDs and enums in.)
StrictId = Annotated[Id, Strict()]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Input(BaseModel):
    """Base of every request body: a field the schema does not have is refused, so a
    misspelt field in a PATCH is a 422, not a change silently left out."""

    model_config = ConfigDict(extra="forbid")


class RowRead(BaseModel):
    """Base of every <Model>Read: validated from the ORM object's attributes."""

    model_config = ConfigDict(from_attributes=True)
