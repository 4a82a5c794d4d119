"""Ids as requests carry them: within what an INTEGER column stores on every database.

An INTEGER holds 32 bits on some databases and 64 on others; a larger number in a path, a
filter or a body would reach the driver and fail there. Bounded here, it is a 422 before
any work starts.
"""

from typing import Annotated

from pydantic import Field

INTEGER_MAX = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=INTEGER_MAX)]
