"""Sessions, the unit of work, and how a request reaches the database without stalling.

Database work is plain synchronous SQLAlchemy in a service function. A route hands it to
`Database.write` or `Database.read`, which runs it in one session, in one worker thread (or
on the event loop, see below). A write commits before `write` returns, so before the
response is sent: a failed commit becomes an error response, never a 2xx for data that was
not stored. Any exception rolls back.

Before a request takes a thread, it waits in the event loop, first come first served, for a
place at the database: as many places as the database admits writers, or has pooled
connections (`limiters` in db/engine.py says which). So a request never holds a lock or a
connection while it waits for a thread, and no thread waits for one within the process.
Where reads do not wait for writers, they run on the event loop without a thread.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Concatenate, ParamSpec, Self, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import checkpoint
from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings
from .engine import READ_ONLY, create_db_engine, limiters

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    writers: CapacityLimiter
    readers: CapacityLimiter | None  # None: reads run on the event loop

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        engine = create_db_engine(settings)
        # expire_on_commit=False: what a service returns stays readable after the commit.
        sessions = sessionmaker(engine, expire_on_commit=False)
        read_sessions = sessionmaker(
            engine, expire_on_commit=False, execution_options={READ_ONLY: True}
        )
        event.listen(read_sessions, "before_flush", _refuse_write)
        return cls(engine, sessions, read_sessions, *limiters(settings))

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
        return await _run(self.unit_of_work, self.writers, lambda s: work(s, *args, **kwargs))

    async def read(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `work(session, ...)` in a session that refuses to write."""
        return await _run(self.read_sessions, self.readers, lambda s: work(s, *args, **kwargs))

    def dispose(self) -> None:
        self.engine.dispose()


async def _run(
    session_scope: Callable[[], AbstractContextManager[Session]],
    limiter: CapacityLimiter | None,
    work: Callable[[Session], T],
) -> T:
    """Run work in a session, in a worker thread once the limiter admits it (None: here)."""

    def in_session() -> T:
        with session_scope() as session:
            return work(session)

    if limiter is None:
        # Take a turn first: work that never suspends would be served ahead of requests
        # already waiting, and leave some connections a tail of seconds under load.
        await checkpoint()
        return in_session()
    return await to_thread.run_sync(in_session, limiter=limiter)


def _refuse_write(session: Session, *_: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("Database.read never commits: write through Database.write instead")


async def _database(request: Request) -> Database:
    # async, so FastAPI resolves it in the event loop without taking a thread.
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(_database)]
