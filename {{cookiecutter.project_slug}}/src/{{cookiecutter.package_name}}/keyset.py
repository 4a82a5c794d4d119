"""Keyset pagination: each list in an order it declares, paged by an opaque cursor.

A page is the rows that come after the cursor in the list's order,
`WHERE (name, id) > (:name, :id) ORDER BY name, id LIMIT :n`, never an OFFSET: with an index
in that order the database starts right at the cursor, so a page costs the same at any depth,
and rows inserted or deleted meanwhile move no page, so a client walking the pages sees each
row that stays exactly once. The cursor is the last row's values in that order, as JSON in
URL-safe base64: opaque to clients, and checked against the order before any query runs.
"""

import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from pydantic import Field, TypeAdapter
from sqlalchemy import Column, Select, inspect, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from .errors import InvalidCursor
from .schemas import INTEGER_MAX, Rows

Row = TypeVar("Row")

# What a cursor may hold of each type of column: a value the database can compare.
_VALUES: dict[type, Any] = {
    int: Annotated[int, Field(ge=-INTEGER_MAX - 1, le=INTEGER_MAX)],
    str: Annotated[str, Field(pattern=r"^[^\x00]*$")],
}


class Order:
    """A list's order: the columns given, then the primary key, which breaks ties, unless
    the first column is unique by itself. Every column must be NOT NULL (a row whose key is
    NULL compares as neither before nor after a cursor, and no page would hold it)."""

    def __init__(self, *columns: InstrumentedAttribute[Any]) -> None:
        mapper = inspect(columns[0].class_)
        first: Column[Any] = columns[0].property.columns[0]
        keys = [column.property.columns[0] for column in columns]
        if not (first.unique or first.primary_key):
            keys += [column for column in mapper.primary_key if column not in keys]
        if nullable := [str(column) for column in keys if column.nullable]:
            raise TypeError(f"a list cannot be ordered by nullable columns: {nullable}")
        self.keys = tuple(keys)
        self._names = [mapper.get_property_by_column(column).key for column in keys]
        types = tuple(_VALUES.get(key.type.python_type, key.type.python_type) for key in keys)
        self._cursor: TypeAdapter[tuple[Any, ...]] = TypeAdapter(tuple[types])  # type: ignore[valid-type]

    def page(self, query: Select[Any], cursor: str | None, limit: int) -> Select[Any]:
        """The query's rows after the cursor, in this order: one more than `limit`, which
        tells whether a page follows."""
        query = query.order_by(*self.keys).limit(limit + 1)
        if cursor is None:
            return query
        after = self._decoded(cursor)
        if len(self.keys) == 1:
            return query.where(self.keys[0] > after[0])
        return query.where(tuple_(*self.keys) > tuple_(*after))

    def rows(self, found: Sequence[Row], limit: int) -> Rows[Row]:
        """A page of what `page` found, with the cursor of the next page if there is one."""
        if len(found) <= limit:
            return Rows(found, None)
        last = found[limit - 1]
        values = tuple(getattr(last, name) for name in self._names)
        encoded = base64.urlsafe_b64encode(self._cursor.dump_json(values))
        return Rows(found[:limit], encoded.rstrip(b"=").decode())

    def _decoded(self, cursor: str) -> tuple[Any, ...]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            decoded = base64.b64decode(padded, altchars=b"-_", validate=True)
            values = self._cursor.validate_json(decoded)
        except (binascii.Error, ValueError) as error:  # pydantic's ValidationError is one
            refused = "cursor is not one this list gave: pass a page's next_cursor"
            raise InvalidCursor(refused) from error
        return values
