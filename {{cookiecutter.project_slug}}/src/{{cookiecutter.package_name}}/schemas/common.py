"""What every schema shares: bounded ids, names, closed request bodies, and reading a row
from its ORM object.

An INTEGER holds 32 bits on some databases and 64 on others; a larger number in a path, a
filter or a body would reach the driver and fail there. Bounded here, it is a 422 before
any work starts.
"""

import re
import unicodedata
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

INTEGER_MAX = 2**31 - 1
_DIGITS = re.compile(r"0|[1-9][0-9]*")


def _written_plainly(value: object) -> object:
    """A path or query value as one way of writing its number: "1512", never "1512.0",
    "1_512", "+1512", " 1512" or "01512", which Python's int() also reads."""
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("not a whole number written plainly: digits only, no leading zero")
    return value


def _whole(value: object) -> object:
    """A JSON number with nothing after the point (4069.0), which JSON Schema counts as an
    integer, as that integer."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


WrittenPlainly = BeforeValidator(_written_plainly)
IdRange = Field(ge=1, le=INTEGER_MAX)
# The range first: a validator before it keeps it out of the JSON Schema.
Id = Annotated[int, IdRange, WrittenPlainly]
# An id in a body, where JSON carries numbers: "1" or true is refused, as the document says.
# (Strict per field, not per model: FastAPI validates a body once parsed, as Python objects,
# and a strict model would refuse the strings JSON carries dates, UUIDs and enums in.)
StrictId = Annotated[int, Strict(), IdRange, BeforeValidator(_whole)]
# Characters that do not show: spaces, control characters, format characters (zero-width
# spaces, direction marks and isolates, the byte order mark), fillers. Spelt out rather than
# \s, which JSON Schema's, pydantic's and Python's regular expressions each read differently.
INVISIBLE = (
    r"\x00-\x20\x7f-\xa0\xad\u061c\u115f\u1160\u1680\u180e\u2000-\u200f\u2028-\u202f"
    r"\u205f-\u206f\u2800\u3000\u3164\ufeff\uffa0\ufff9-\ufffb"
)
# Control characters, which no name holds (some databases cannot even store a NUL).
CONTROL = r"\x00-\x1f\x7f-\x9f"
# The pattern of a name: a character that shows, and no control character.
SHOWS = f"^[^{CONTROL}]*[^{INVISIBLE}][^{CONTROL}]*$"


def composed(text: str) -> str:
    """One form of each text: "cafe" and a combining accent is "café", one character."""
    return unicodedata.normalize("NFC", text)


def lowered(text: str) -> str:
    """In lower case, no longer than it was: İ, whose lower case is two characters, is i."""
    return text.replace("\u0130", "i").lower()


# Text with a character that shows and no control character, composed; measured again once
# composed, which lengthens a few characters (a text of them may then be refused).
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=SHOWS),
    AfterValidator(composed),
    Field(max_length=100),
]


class RequestBody(BaseModel):
    """Base of every request body: a field the schema does not have is refused, so a
    misspelt field in a PATCH is a 422, not a change silently left out."""

    model_config = ConfigDict(extra="forbid")


class ResponseBody(BaseModel):
    """Base of every <Model>Read: validated from the ORM object's attributes."""

    model_config = ConfigDict(from_attributes=True)
