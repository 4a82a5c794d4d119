"""Sessions, the unit of work, and how a request reaches the database without stalling.

Database work is a coroutine in a service module that takes an `AsyncSession`. A route
hands it to `Database.write` or `Database.read`, which runs it in one session. A write
commits before `write` returns, so before the response is sent: a failed commit becomes an
error response, never a 2xx for data that was not stored. Any exception rolls back.

Before a request touches the database, it waits in the event loop, first come first served,
for a place among the writers or the readers (`limiters` in db/dialect/), so no request holds
a lock or a connection while it waits behind others; a slow service's calls hold places of
their own besides (db/slow_services.py). Where the driver's calls run, and why, is in
docs/design.md ("The write path"). Every wait ends by the request's deadline (db/waits.py).

A write that meets a concurrent one (a deadlock, a serialization failure, rows that changed
under it: `conflicted` in db/dialect/failures.py) runs again as a whole, unseen by the client.
"""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Concatenate, Final, ParamSpec, Self, TypeVar

from anyio import move_on_after
from anyio.lowlevel import checkpoint
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as DatabaseTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from ..settings import Settings
from .dialect import (
    begin_without_waiting,
    conflicted,
    limiters,
    lock_wait,
    unwritable,
)
from .dialect.async_driver import async_read_engine, create_async_db_engine
from .slow_services import SlowServices, off_the_loop
{%- if cookiecutter.observability == "opentelemetry" %}
from .traces import traced
{%- endif %}
from .waits import NO_WAIT, Place, Turn, remaining

P = ParamSpec("P")
T = TypeVar("T")
# A service: a coroutine of a session and its own arguments.
Work = Callable[Concatenate[AsyncSession, P], Awaitable[T]]

log = logging.getLogger(__name__)

# How many times in all a write that meets concurrent ones runs before the request gives up.
ATTEMPTS: Final = 3


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    read_engine: AsyncEngine  # read sessions' (`async_read_engine`)
    sessions: async_sessionmaker[AsyncSession]
    read_sessions: async_sessionmaker[AsyncSession]
    timeout_s: float  # what a request may wait for the database in all
    writers: Place
    readers: Place  # NO_WAIT: reads run on the event loop
    slow: SlowServices

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        engine = create_async_db_engine(settings)
        # expire_on_commit=False: what a service returns stays readable after the commit,
        # without the implicit IO an expired attribute would need.
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        reads = async_read_engine(engine, settings)
        read_sessions = async_sessionmaker(reads, expire_on_commit=False)
        writers, readers, apart = limiters(settings)
        slow = SlowServices(apart, loop_first=readers is NO_WAIT)
        timeout_s = settings.database_timeout_ms / 1000
        return cls(engine, reads, sessions, read_sessions, timeout_s, writers, readers, slow)

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
    async def unit_of_work(self, *, on_the_loop: bool = False) -> AsyncIterator[AsyncSession]:
        """A session that commits if the block succeeds and rolls back if it raises;
        on_the_loop: one whose driver's calls are made on the event loop (_closed)."""
        session = self.sessions()
        async with _closed(session, on_the_loop), session.begin():
            yield session

{% if cookiecutter.observability == "opentelemetry" %}    @traced
{% endif %}    async def write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work(session, ...)` in a transaction that has committed when this returns."""
        attempt = 1
        while True:
            try:
                return await self._write(work, *args, **kwargs)
            except Exception as error:
                if attempt == ATTEMPTS or not conflicted(error) or not self._remaining():
                    raise
                log.info("a write met a concurrent one and runs again: %r", error)
            attempt += 1

    async def _write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        async with (
            Turn(self.slow.place_for(work), self.timeout_s),
            Turn(self.writers, self.timeout_s),
        ):
            # Where reads run on the event loop, so do writes that hold the lock.
            if self.readers is NO_WAIT and work not in self.slow:
                with self.slow.on_the_loop(work, suspends=True):
                    async with self.unit_of_work(on_the_loop=True) as session:
                        if await session.run_sync(begin_without_waiting):
                            # The lock is held and nothing below waits for another process:
                            # the driver's calls stay on the event loop.
                            return await work(session, *args, **kwargs)
            # Nothing began (the lock is taken, the service is slow, or nothing runs on the
            # loop here): the driver's calls run in its thread, if it has one, and may wait.
            with off_the_loop(), self.slow.timed(work):
                async with self.unit_of_work() as session:
                    await session.connection(execution_options=self._lock_wait())
                    return await work(session, *args, **kwargs)

{% if cookiecutter.observability == "opentelemetry" %}    @traced
{% endif %}    async def read(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work(session, ...)` in a session that refuses to write."""
        if self.readers is NO_WAIT:
            # Take a turn first: work that never suspends would be served ahead of requests
            # already waiting, and leave some connections a tail of seconds under load.
            await checkpoint()
            if work not in self.slow:
                with self.slow.on_the_loop(work, suspends=True):
                    async with _closed(self.read_sessions(), on_the_loop=True) as session:
                        return await work(session, *args, **kwargs)
        async with (
            Turn(self.slow.place_for(work), self.timeout_s),
            Turn(self.readers, self.timeout_s),
        ):
            with off_the_loop(), self.slow.timed(work):
                async with self.read_sessions() as session:
                    return await work(session, *args, **kwargs)

    async def ping(self) -> None:
        """Fail unless the database answers a query within the request's deadline. Readiness
        takes no place among the readers: reads stuck behind a lock never hold it up."""
        with move_on_after(self._remaining()):
            async with self.read_sessions() as session:
                return await _select_one(session)
        raise DatabaseTimeout(f"the database did not answer within {self.timeout_s:g} s")

    def unwritable(self) -> str | None:
        """Why the database cannot take writes now, if the dialect can tell; else None."""
        return unwritable(self.engine.url)

    def _remaining(self) -> float:
        return remaining(self.timeout_s)

    def _lock_wait(self) -> dict[str, Any]:
        """Execution options that end a write's wait for a lock by the request's deadline, once
        its wait for a turn took more than a quarter of it. Before, the connection's own
        timeout still ends it within a quarter more, and setting another costs a statement
        of its own, a round trip to the driver's thread or the server."""
        left = self._remaining()
        return lock_wait(left) if left < self.timeout_s * 3 / 4 else {}

    async def dispose(self) -> None:
        try:
            await self.read_engine.dispose()
        finally:
            await self.engine.dispose()


def _closed(session: AsyncSession, on_the_loop: bool) -> AbstractAsyncContextManager[Any]:
    """`session`, closed as the block ends. `async with session` closes it in a task of its
    own, shielded from cancellation: a turn of the loop per request. On the event loop the
    close suspends only to let go of a connection beyond the pool's size, or a broken one,
    and even cancelled then, the pool lets go of it."""
    return _closed_on_the_loop(session) if on_the_loop else session


@asynccontextmanager
async def _closed_on_the_loop(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    try:
        yield session
    finally:
        await session.close()


async def _select_one(session: AsyncSession) -> None:
    await session.execute(text("SELECT 1"))
