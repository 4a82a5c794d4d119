"""Sessions, the unit of work, and how a request reaches the database without stalling.

Database work is plain synchronous SQLAlchemy in a service function. A route hands it to
`Database.write` or `Database.read`, which runs it in one session. A write commits before
`write` returns, so before the response is sent: a failed commit becomes an error response,
never a 2xx for data that was not stored. Any exception rolls back.

Before a request touches the database, it waits in the event loop, first come first served,
for a place among the writers or the readers (`limiters` in db/dialect/), so no request holds
a lock or a connection while it waits behind others; a slow service's calls hold places of
their own besides (db/slow_services.py). Where the driver's calls run, and why, is in
docs/design.md ("The write path"). Every wait ends by the request's deadline (db/waits.py).

A write that meets a concurrent one (a deadlock, a serialization failure, rows that changed
under it: `conflicted` in db/dialect/failures.py) runs again as a whole, unseen by the client.
"""

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, Concatenate, Final, ParamSpec, Self, TypeVar

from anyio import move_on_after, to_thread
from anyio.lowlevel import checkpoint
from sqlalchemy import Engine, text
from sqlalchemy.exc import TimeoutError as DatabaseTimeout
from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings
from .dialect import (
    begin_without_waiting,
    conflicted,
    create_db_engine,
    limiters,
    lock_wait,
    read_engine,
    unwritable,
)
from .slow_services import SlowServices
{%- if cookiecutter.observability == "opentelemetry" %}
from .traces import traced
{%- endif %}
from .waits import NO_WAIT, Place, Turn, remaining

P = ParamSpec("P")
T = TypeVar("T")
# A service: a function of a session and its own arguments.
Work = Callable[Concatenate[Session, P], T]

log = logging.getLogger(__name__)

# How many times in all a write that meets concurrent ones runs before the request gives up.
ATTEMPTS: Final = 3


@dataclass(frozen=True)
class Database:
    engine: Engine
    read_engine: Engine  # read sessions' (`read_engine` in db/dialect/)
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    timeout_s: float  # what a request may wait for the database in all
    writers: Place
    readers: Place  # NO_WAIT: reads run on the event loop
    slow: SlowServices

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        engine = create_db_engine(settings)
        # expire_on_commit=False: what a service returns stays readable after the commit.
        sessions = sessionmaker(engine, expire_on_commit=False)
        reads = read_engine(engine, settings)
        read_sessions = sessionmaker(reads, expire_on_commit=False)
        timeout_s = settings.database_timeout_ms / 1000
        writers, readers, apart = limiters(settings)
        slow = SlowServices(apart, loop_first=readers is NO_WAIT)
        return cls(engine, reads, sessions, read_sessions, timeout_s, writers, readers, slow)

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

{% if cookiecutter.observability == "opentelemetry" %}    @traced
{% endif %}    async def write(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work(session, ...)` in a transaction that has committed when this returns."""

        def run(session: Session) -> T:
            return work(session, *args, **kwargs)

        attempt = 1
        while True:
            try:
                return await self._write(work, run)
            except Exception as error:
                if attempt == ATTEMPTS or not conflicted(error) or not self._remaining():
                    raise
                log.info("a write met a concurrent one and runs again: %r", error)
            attempt += 1

    async def _write(self, work: Callable[..., object], run: Callable[[Session], T]) -> T:
        async with (
            Turn(self.slow.place_for(work), self.timeout_s),
            Turn(self.writers, self.timeout_s),
        ):
            # Where reads run on the event loop, so do writes that hold the lock.
            if self.readers is NO_WAIT and work not in self.slow:
                with self.slow.on_the_loop(work), self.unit_of_work() as session:
                    if begin_without_waiting(session):
                        # The lock is held and nothing below waits for another process: stay
                        # on the event loop rather than hop to a thread and back.
                        return run(session)
            # Nothing began (the lock is taken, the service is slow, or nothing runs on the
            # loop here): run in a thread.
            with self.slow.timed(work):
                return await to_thread.run_sync(self._write_waiting, run)

    def _write_waiting(self, run: Callable[[Session], T]) -> T:
        with self.unit_of_work() as session:
            session.connection(execution_options=self._lock_wait())
            return run(session)

{% if cookiecutter.observability == "opentelemetry" %}    @traced
{% endif %}    async def read(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work(session, ...)` in a session that refuses to write."""

        def run(session: Session) -> T:
            return work(session, *args, **kwargs)

        if self.readers is NO_WAIT:
            # Take a turn first: work that never suspends would be served ahead of requests
            # already waiting, and leave some connections a tail of seconds under load.
            await checkpoint()
            if work not in self.slow:
                with self.slow.on_the_loop(work):
                    return _in_session(self.read_sessions, run)
        async with (
            Turn(self.slow.place_for(work), self.timeout_s),
            Turn(self.readers, self.timeout_s),
        ):
            with self.slow.timed(work):
                return await to_thread.run_sync(_in_session, self.read_sessions, run)

    async def ping(self) -> None:
        """Fail unless the database answers a query within the request's deadline. Readiness
        takes no place among the readers: reads stuck behind a lock never hold it up."""
        if self.readers is NO_WAIT:
            _in_session(self.read_sessions, _select_one)
            return
        with move_on_after(self._remaining()):
            return await to_thread.run_sync(
                _in_session, self.read_sessions, _select_one, abandon_on_cancel=True
            )
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

    def dispose(self) -> None:
        try:
            self.read_engine.dispose()
        finally:
            self.engine.dispose()


def _select_one(session: Session) -> None:
    session.execute(text("SELECT 1"))


def _in_session(
    session_scope: Callable[[], AbstractContextManager[Session]], work: Callable[[Session], T]
) -> T:
    with session_scope() as session:
        return work(session)
