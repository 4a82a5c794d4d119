"""Keyset pagination: each list in an order it declares, paged by an opaque cursor.

A page is the rows that come after the cursor in the list's order, `WHERE name > :name
ORDER BY name LIMIT :n + 1` (a key that is not unique by itself takes the primary key too:
`(title, id) > (:title, :id)`), never an OFFSET: with an index in that order the database
starts right at the cursor, so a page costs the same at any depth, and rows inserted or
deleted meanwhile move no page, so a client walking the pages sees each row that stays,
unchanged in the list's order, exactly once. The page before a cursor is the same query the
other way round (`WHERE name < :name ORDER BY name DESC`), the index read backwards. A cursor
is a side and the key of a page's first or last row, as JSON in URL-safe base64: opaque to
clients, and checked against the key's types before any query runs.
"""

import base64
import binascii
import datetime
import operator
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal, NamedTuple, TypeVar, cast

from pydantic import ConfigDict, Field, TypeAdapter
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Enum,
    Integer,
    Select,
    String,
    Uuid,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute

from .errors import InvalidCursor
from .schemas import INTEGER_MAX, PageOfRows

Found = TypeVar("Found")
# Where a cursor's page lies beside its row: the rows after it, from it on, before it, or up
# to and through it; how their key compares with the row's; and the side of the rows left out.
Side = Literal["after", "from", "before", "through"]
_COMPARED: Final = {
    "after": operator.gt,
    "from": operator.ge,
    "before": operator.lt,
    "through": operator.le,
}
_BACKWARDS: Final = ("before", "through")  # read from the cursor's row down
_OTHER: Final[dict[str, Side]] = {
    "after": "through",
    "through": "after",
    "from": "before",
    "before": "from",
}

# The longest cursor a list takes (api/paging.py): an order whose key may not fit is refused.
CURSOR_LENGTH: Final = 4096
_BIGINT_MAX: Final = 2**63 - 1


def _value(column: Column[Any]) -> tuple[Any, int]:
    """What a cursor holds of the column: a type that only takes values the database can
    compare with it, and the most characters of JSON it takes."""
    kind = column.type
    if isinstance(kind, BigInteger):
        return Annotated[int, Field(ge=-_BIGINT_MAX - 1, le=_BIGINT_MAX)], 20
    if isinstance(kind, Integer):
        return Annotated[int, Field(ge=-INTEGER_MAX - 1, le=INTEGER_MAX)], 11
    if isinstance(kind, String) and not isinstance(kind, Enum) and kind.length:
        # No NUL, which some databases refuse; at most 6 characters of JSON each (\uXXXX).
        text = Annotated[str, Field(max_length=kind.length, pattern=r"^[^\x00]*$")]
        return text, 2 + 6 * kind.length
    for sql_type, python_type in ((DateTime, datetime.datetime), (Date, datetime.date)):
        if isinstance(kind, sql_type):
            return python_type, 40
    if isinstance(kind, Uuid):
        return uuid.UUID, 38
    raise TypeError(
        f"a list cannot be ordered by {column} ({kind!r}): order it by integers, strings of "
        "a bounded length, dates, times or UUIDs"
    )


class Position(NamedTuple):
    """Where a cursor points: a side of the row with this key."""

    side: Side
    key: tuple[Any, ...]


class Order:
    """A list's order: the columns given, then the primary key, which breaks ties, unless the
    first column is unique by itself. Every column must be NOT NULL (a row whose key is NULL
    compares as neither before nor after a cursor, and no page would hold it)."""

    def __init__(self, *columns: InstrumentedAttribute[Any]) -> None:
        mapper = columns[0].parent.mapper
        keys: list[Column[Any]] = [column.property.columns[0] for column in columns]
        first = keys[0]
        if not (first.unique or (first.primary_key and len(mapper.primary_key) == 1)):
            keys += [cast(Column[Any], key) for key in mapper.primary_key if key not in keys]
        if nullable := [str(column) for column in keys if column.nullable]:
            raise TypeError(f"a list cannot be ordered by nullable columns: {nullable}")
        self.keys = tuple(keys)
        self._names = [mapper.get_property_by_column(column).key for column in keys]
        values = [_value(column) for column in keys]
        # '["through",', then each value and a comma or the closing bracket.
        if (length := (sum(size + 1 for _, size in values) + 11) * 4 // 3) > CURSOR_LENGTH:
            raise TypeError(f"cursors of {self.keys} may take {length} characters, too many")
        key_type: Any = tuple.__class_getitem__((Side, *(kind for kind, _ in values)))
        self._cursor: TypeAdapter[tuple[Any, ...]] = TypeAdapter(
            key_type, config=ConfigDict(strict=True)
        )

    def position(self, cursor: str | None) -> Position | None:
        """Where the cursor points: its side and its row's key (None for the first page)."""
        if cursor is None:
            return None
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            decoded = base64.b64decode(padded, altchars=b"-_", validate=True)
            side, *key = self._cursor.validate_json(decoded)
        except (binascii.Error, ValueError) as error:  # pydantic's ValidationError is one
            refused = (
                "cursor does not hold this list's key: pass a page's next_cursor or previous_cursor"
            )
            raise InvalidCursor(refused) from error
        return Position(side, tuple(key))

    def page(self, query: Select[Any], position: Position | None, limit: int) -> Select[Any]:
        """The query's rows on the position's side of its row, in this order (whatever order the
        query had), nearest the position first: one more than `limit`, which tells whether a
        page lies beyond them."""
        query = query.order_by(None).limit(limit + 1)
        if position is None:
            return query.order_by(*self.keys)
        side, key = position
        if len(self.keys) == 1:
            beside = _COMPARED[side](self.keys[0], key[0])
        else:  # each value bound as its column's type
            beside = _COMPARED[side](tuple_(*self.keys), key)
        if side in _BACKWARDS:
            return query.where(beside).order_by(*(column.desc() for column in self.keys))
        return query.where(beside).order_by(*self.keys)

    def rows(
        self, found: Sequence[Found], position: Position | None, limit: int
    ) -> PageOfRows[Found]:
        """A page of what `page` found for the position, in this order, with the cursors of the
        pages after and before it where rows may lie that way. An empty page found beside a
        row leads back to the rows on the row's other side."""
        backwards = position is not None and position.side in _BACKWARDS
        beyond = len(found) > limit  # rows lie past the page, on the side it was read
        items = list(reversed(found[:limit])) if backwards else found[:limit]
        if not items:
            back = None if position is None else self.cursor(position.key, _OTHER[position.side])
            return PageOfRows(items, back if backwards else None, None if backwards else back)
        after = backwards or beyond  # a page read backwards ends by its cursor's row
        before = beyond if backwards else position is not None
        return PageOfRows(
            items,
            self.cursor(self._key(items[-1])) if after else None,
            self.cursor(self._key(items[0]), "before") if before else None,
        )

    def cursor(self, key: tuple[Any, ...], side: Side = "after") -> str:
        """The cursor of the page on this side of the row with this key."""
        encoded = self._cursor.dump_json((side, *key))
        return base64.urlsafe_b64encode(encoded).rstrip(b"=").decode()

    def _key(self, row: Any) -> tuple[Any, ...]:
        return tuple(getattr(row, name) for name in self._names)
