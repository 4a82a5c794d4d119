"""What a database's dialect provides the rest of the service: db/dialect/ is the one of the
database the project was made for, and mypy checks it against `Dialect`, so a change to it
that the service relies on cannot pass unnoticed."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import URL, Connection, Constraint, Engine, MetaData
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..settings import Settings
from . import dialect
from .waits import Place


class Dialect(Protocol):
    @property
    def LOCK_WAIT_MS(self) -> str:  # noqa: N802  (the execution option of a bounded lock wait)
        ...

    @property
    def MIGRATION_OPTIONS(self) -> dict[str, Any]:  # noqa: N802  (Alembic's context options)
        ...

    @property
    def insert(self) -> Callable[..., Any]:
        """INSERT with ON CONFLICT DO NOTHING, for seeding."""
        ...

    def create_db_engine(self, settings: Settings) -> Engine: ...

    def read_engine(self, engine: Engine, settings: Settings) -> Engine:
        """The engine of read sessions, beside `engine`: its connections refuse writes."""
        ...

    def engine_arguments(self, settings: Settings) -> tuple[URL, dict[str, Any]]: ...

    def configure(self, engine: Engine, settings: Settings) -> Engine: ...

    def limiters(self, settings: Settings) -> tuple[Place, Place, Place]:
        """Places for writers, for readers (NO_WAIT: reads run on the event loop) and for slow
        services' calls."""
        ...

    def lock_wait(self, seconds: float) -> dict[str, Any]: ...

    def begin_without_waiting(self, session: Session) -> bool:
        """Begin the write transaction if nothing makes it wait; False if something would."""
        ...

    def unwritable(self, url: URL) -> str | None: ...

    def conflicted(self, error: Exception) -> bool: ...

    def violated_constraints(
        self, error: IntegrityError, metadata: MetaData
    ) -> list[Constraint]: ...

    def unavailable(self, error: OperationalError) -> bool: ...

    def migration_transaction(
        self,
        connection: Connection,
        begin: Callable[[], AbstractContextManager[object]],
        settings: Settings,
    ) -> AbstractContextManager[None]: ...

    def migration_timeout(self, error: OperationalError) -> str | None: ...

    def scratch_database(self, settings: Settings) -> AbstractContextManager[Settings]: ...


PROVIDED: Dialect = dialect  # what mypy checks
