"""Helpers every service shares: look-up, insert, partial update, paging."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from ..db.base import Base
from ..errors import NotFound
from ..keyset import Order
from ..schemas import PageOfRows

Model = TypeVar("Model", bound=Base)


async def get_or_404(
    session: AsyncSession,
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
        row = await session.get(model, id_, options=options, with_for_update=lock)
    else:
        key = inspect(model).primary_key[0]
        query = select(model).where(key == id_, *where).options(*options)
        row = (await session.scalars(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise NotFound(f"{model.__name__} {id_} does not exist")
    return row


async def add(session: AsyncSession, row: Model) -> Model:
    """Add and flush, so the id is known and constraint errors surface inside the service."""
    session.add(row)
    await session.flush()
    return row


async def change(session: AsyncSession, row: Model, changes: dict[str, Any]) -> Model:
    """Apply a partial update (the schema refuses null where a column cannot hold it)."""
    for key, value in changes.items():
        setattr(row, key, value)
    await session.flush()
    return row


async def paginate(
    session: AsyncSession, query: Select[Model], order: Order, cursor: str | None, limit: int
) -> PageOfRows[Model]:
    """The page of the query's rows after or before the cursor, in the list's order
    (keyset.py)."""
    position = order.position(cursor)
    found = (await session.scalars(order.page(query, position, limit))).all()
    return order.rows(found, position, limit)
