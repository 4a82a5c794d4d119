"""Test code in the service's own sessions, whatever their style (this render's: async).

Guards that check how the service's sessions behave hand plain functions of a `Session` to
these helpers, so the same guard serves the sync and the async render; here they run in
the `AsyncSession`'s own sync session, through `run_sync`.
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.settings import Settings

T = TypeVar("T")


def in_session(settings: Settings, work: Callable[[Session], T], *, read: bool = False) -> T:
    """`work(session)` in a read session or in the unit of work (committed if it returns),
    made by a Database of its own."""

    async def run() -> T:
        async with Database.opened(settings) as database:
            if read:
                async with database.read_sessions() as session:
                    return await session.run_sync(work)
            async with database.unit_of_work() as session:
                return await session.run_sync(work)

    return anyio.run(run)


def as_service(work: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """`work(session, ...)` as a service `Database.write` and `Database.read` accept."""

    @functools.wraps(work)
    async def service(session: AsyncSession, *args: Any, **kwargs: Any) -> T:
        return await session.run_sync(work, *args, **kwargs)

    return service


def engine_of(database: Database) -> Engine:
    """The database's engine, its writers', as event listeners take it."""
    return database.engine.sync_engine


def read_engine_of(database: Database) -> Engine:
    """The engine of the database's read sessions, as event listeners take it."""
    return database.read_engine.sync_engine
