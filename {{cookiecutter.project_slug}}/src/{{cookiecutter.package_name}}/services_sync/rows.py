"""Helpers every service shares: look-up, insert, partial update, paging."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from ..db.base import Base
from ..errors import NotFound
from ..keyset import Order
from ..schemas import PageOfRows

Model = TypeVar("Model", bound=Base)


def get_or_404(
    session: Session,
    model: type[Model],
    id_: int,
    *options: ORMOption,
    lock: bool = False,
    where: Sequence[ColumnElement[bool]] = (),
) -> Model:
    """The row, or NotFound; NotFound too for a row that fails a condition of `where`, such
    as whose it is: a row the caller may not see is answered as one that does not exist, so
    nobody learns which ids others have. lock=True for a row the service goes on to change or
    delete: it stays locked until the commit, so concurrent changes of it take turns, each one
    reading what the one before left (SELECT ... FOR UPDATE, where the database locks rows)."""
    if not where:  # by the identity map's own path: a read by id on every request
        row = session.get(model, id_, options=options, with_for_update=lock)
    else:
        key = inspect(model).primary_key[0]
        query = select(model).where(key == id_, *where).options(*options)
        row = (session.scalars(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise NotFound(f"{model.__name__} {id_} does not exist")
    return row


def add(session: Session, row: Model) -> Model:
    """Add and flush, so the id is known and constraint errors surface inside the service."""
    session.add(row)
    session.flush()
    return row


def change(session: Session, row: Model, changes: dict[str, Any]) -> Model:
    """Apply a partial update (the schema refuses null where a column cannot hold it)."""
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def paginate(
    session: Session, query: Select[Model], order: Order, cursor: str | None, limit: int
) -> PageOfRows[Model]:
    """The page of the query's rows after or before the cursor, in the list's order
    (keyset.py)."""
    position = order.position(cursor)
    found = session.scalars(order.page(query, position, limit)).all()
    return order.rows(found, position, limit)
