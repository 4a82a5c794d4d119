"""Sessions and the unit of work: the one place where a transaction commits.

Every request gets its own session. A write request commits when its path function has
returned and before the response is sent (a "function"-scoped dependency), so a failed
commit becomes an error response, never a 2xx for data that was not stored. Any exception
rolls the transaction back.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Self

from fastapi import Depends, Request
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from ..settings import Settings
from .engine import READ_ONLY, create_db_engine


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        engine = create_db_engine(settings)
        # expire_on_commit=False: what a route returns stays readable after the commit.
        read_sessions = sessionmaker(
            engine, expire_on_commit=False, execution_options={READ_ONLY: True}
        )
        event.listen(read_sessions, "before_flush", _refuse_write)
        return cls(engine, sessionmaker(engine, expire_on_commit=False), read_sessions)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits if the block succeeds and rolls back if it raises."""
        with self.sessions() as session:
            yield session
            session.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def _refuse_write(session: Session, *_: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a ReadSession never commits: write through Transaction instead")


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def transaction(request: Request) -> Iterator[Session]:
    with _database(request).unit_of_work() as session:
        yield session


def read_session(request: Request) -> Iterator[Session]:
    with _database(request).read_sessions() as session:
        yield session


# scope="function" runs the exit code (the commit) before the response is sent; the default
# scope would send the response first and could report success for a failed commit.
Transaction = Annotated[Session, Depends(transaction, scope="function")]
ReadSession = Annotated[Session, Depends(read_session, scope="function")]
