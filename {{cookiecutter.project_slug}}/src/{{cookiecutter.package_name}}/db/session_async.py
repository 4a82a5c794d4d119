"""Sessions, the unit of work, and how a request reaches the database without stalling.

Database work is a coroutine in a service module that takes an `AsyncSession`. A route
hands it to `Database.write` or `Database.read`, which runs it in one session. A write
commits before `write` returns, so before the response is sent: a failed commit becomes an
error response, never a 2xx for data that was not stored. Any exception rolls back.

Before a request touches the database, it waits in the event loop, first come first served,
for a place: as many places as the database admits writers, or has pooled connections
(`limiters` in db/dialect.py says which). So a request never holds a lock or a connection
while it waits behind others, and no connection is opened beyond the pool. The driver waits
for the database (its lock, a row another transaction holds) without blocking the event loop.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Concatenate, ParamSpec, Self, TypeVar

from anyio import CapacityLimiter
from fastapi import Depends, Request
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ..settings import Settings
from .dialect import ASYNC_DRIVERNAME, READ_ONLY, configure, engine_arguments, limiters

P = ParamSpec("P")
T = TypeVar("T")


def create_async_db_engine(settings: Settings) -> AsyncEngine:
    url, options = engine_arguments(settings)
    engine = create_async_engine(url.set(drivername=ASYNC_DRIVERNAME), **options)
    configure(engine.sync_engine, settings)
    return engine


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    writers: AbstractAsyncContextManager[None]
    readers: CapacityLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        engine = create_async_db_engine(settings)
        # expire_on_commit=False: what a service returns stays readable after the commit,
        # without the implicit IO an expired attribute would need.
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        read_sessions = async_sessionmaker(
            engine, expire_on_commit=False, execution_options={READ_ONLY: True}
        )
        writers, readers = limiters(settings)
        # Reads queue too: one beyond the pool would open, then close, a connection of its own.
        return cls(
            engine, sessions, read_sessions, writers, readers or CapacityLimiter(settings.pool_size)
        )

    @classmethod
    @asynccontextmanager
    async def opened(cls, settings: Settings) -> AsyncIterator[Self]:
        """A database for the length of the block, its engine disposed afterwards."""
        database = cls.from_settings(settings)
        try:
            yield database
        finally:
            await database.dispose()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A session that commits if the block succeeds and rolls back if it raises."""
        async with self.sessions() as session, session.begin():
            yield session

    async def write(
        self,
        work: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `work(session, ...)` in a transaction that has committed when this returns."""
        async with self.writers, self.unit_of_work() as session:
            return await work(session, *args, **kwargs)

    async def read(
        self,
        work: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `work(session, ...)` in a session that refuses to write."""
        async with self.readers, self.read_sessions() as session:
            return await work(session, *args, **kwargs)

    async def ping(self) -> None:
        """Fail unless the database answers a query."""
        await self.read(_select_one)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _select_one(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))


async def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(_database)]


def run_on_connection(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(connection)` on an engine of its own, disposed afterwards: how migrations run.
    As in Alembic's async environment, the driver is the async one and the migration code,
    synchronous, runs inside `run_sync`. Call it where no event loop runs."""
    return asyncio.run(_run_on_connection(settings, work))


async def _run_on_connection(settings: Settings, work: Callable[[Connection], T]) -> T:
    engine = create_async_db_engine(settings)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()
