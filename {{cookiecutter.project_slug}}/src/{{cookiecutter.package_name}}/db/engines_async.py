"""The engine behind migrations and the seed: on the async driver, as in Alembic's async
environment."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from ..settings import Settings
from .dialect.async_driver import create_async_db_engine

T = TypeVar("T")


def run_on_connection(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(connection)` on an engine of its own, disposed afterwards: how migrations and the
    seed run. As in Alembic's async environment, the driver is the async one and the work,
    synchronous, runs inside `run_sync`. Call it where no event loop runs."""
    return asyncio.run(_run_on_connection(settings, work))


async def _run_on_connection(settings: Settings, work: Callable[[Connection], T]) -> T:
    engine = create_async_db_engine(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()
