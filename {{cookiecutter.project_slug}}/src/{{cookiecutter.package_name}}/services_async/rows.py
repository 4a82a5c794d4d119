"""Helpers every service shares: look-up, insert, partial update, paging."""

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.interfaces import ORMOption

from ..db.base import Base
from ..errors import NotFound
from ..schemas import Rows

Model = TypeVar("Model", bound=Base)


async def get_or_404(
    session: AsyncSession, model: type[Model], id_: int, *options: ORMOption, lock: bool = False
) -> Model:
    """The row, or NotFound. lock=True for a row the service goes on to change or delete: it
    stays locked until the commit, so concurrent changes of it take turns, each one reading
    what the one before left (SELECT ... FOR UPDATE, where the database locks rows)."""
    row = await session.get(model, id_, options=options, with_for_update=lock)
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
    session: AsyncSession, query: Select[Model], limit: int, offset: int
) -> Rows[Model]:
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = await session.scalar(counted) or 0
    items = (await session.scalars(query.limit(limit).offset(offset))).all()
    return Rows(items, total, limit, offset)
