"""Sessions, the unit of work, and how a request reaches the database without stalling.

Database work is plain synchronous SQLAlchemy in a service function. A route hands it to
`Database.write` or `Database.read`, which runs it in one session. A write commits before
`write` returns, so before the response is sent: a failed commit becomes an error response,
never a 2xx for data that was not stored. Any exception rolls back.

Before a request touches the database, it waits in the event loop, first come first served,
for a place: as many places as the database admits writers, or has pooled connections
(`limiters` in db/dialect.py says which). So a request never holds a lock or a connection
while it waits for a thread, and no thread waits for one within the process. Work that
cannot wait for another process (a write that already holds the lock, a read that never
waits for writers) runs on the event loop; anything that may wait runs in a worker thread.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass
from typing import Annotated, Concatenate, ParamSpec, Self, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import checkpoint
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings
from .dialect import READ_ONLY, begin_without_waiting, create_db_engine, limiters

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    writers: AbstractAsyncContextManager[None]
    readers: CapacityLimiter | None  # None: reads run on the event loop

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        engine = create_db_engine(settings)
        # expire_on_commit=False: what a service returns stays readable after the commit.
        sessions = sessionmaker(engine, expire_on_commit=False)
        read_sessions = sessionmaker(
            engine, expire_on_commit=False, execution_options={READ_ONLY: True}
        )
        return cls(engine, sessions, read_sessions, *limiters(settings))

    @classmethod
    @asynccontextmanager
    async def opened(cls, settings: Settings) -> AsyncIterator[Self]:
        """A database for the length of the block (the app's lifespan), its engine disposed
        afterwards."""
        database = cls.from_settings(settings)
        try:
            yield database
        finally:
            database.dispose()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits if the block succeeds and rolls back if it raises."""
        with self.sessions() as session:
            yield session
            session.commit()

    async def write(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` in a transaction that has committed when this returns."""

        def run(session: Session) -> T:
            return work(session, *args, **kwargs)

        async with self.writers:
            with self.unit_of_work() as session:
                if begin_without_waiting(session):
                    # The lock is held and nothing below waits for another process: stay on
                    # the event loop rather than hop to a thread and back.
                    return run(session)
            # Nothing began, so nothing was committed: wait for the lock in a thread.
            return await to_thread.run_sync(_in_session, self.unit_of_work, run)

    async def read(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` in a session that refuses to write."""

        def run(session: Session) -> T:
            return work(session, *args, **kwargs)

        if self.readers is None:
            # Take a turn first: work that never suspends would be served ahead of requests
            # already waiting, and leave some connections a tail of seconds under load.
            await checkpoint()
            return _in_session(self.read_sessions, run)
        return await to_thread.run_sync(_in_session, self.read_sessions, run, limiter=self.readers)

    async def ping(self) -> None:
        """Fail unless the database answers a query."""
        await self.read(_select_one)

    def dispose(self) -> None:
        self.engine.dispose()


def _select_one(session: Session) -> None:
    session.execute(text("SELECT 1"))


def _in_session(
    session_scope: Callable[[], AbstractContextManager[Session]], work: Callable[[Session], T]
) -> T:
    with session_scope() as session:
        return work(session)


async def _database(request: Request) -> Database:
    # async, so FastAPI resolves it in the event loop without taking a thread.
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(_database)]


def run_on_connection(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(connection)` on an engine of its own, disposed afterwards: how migrations run."""
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            return work(connection)
    finally:
        engine.dispose()
