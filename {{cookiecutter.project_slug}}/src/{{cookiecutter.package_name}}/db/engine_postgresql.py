"""PostgreSQL engine (psycopg 3): a pool sized and checked from the settings.

Size the pool against the server: workers x (pool_size + max_overflow) must stay below
max_connections (100 by default) minus what other clients and superusers need.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from anyio import CapacityLimiter
from pydantic import Field
from pydantic_settings import BaseSettings
from sqlalchemy import Connection, Constraint, Engine, MetaData, create_engine
from sqlalchemy.dialects.postgresql import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

PACKAGE = __name__.partition(".")[0]
# psycopg's read-only mode: the server refuses writes in sessions created with this option.
READ_ONLY = "postgresql_readonly"
MIGRATION_OPTIONS: dict[str, Any] = {}


class EngineSettings(BaseSettings):
    database_url: str = f"postgresql+psycopg://localhost/{PACKAGE}"
    # Each worker process holds up to pool_size + max_overflow connections.
    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    pool_timeout: float = Field(default=30, gt=0)
    # Test each connection before use, so a restarted server costs no failed request.
    pool_pre_ping: bool = True
    # Replace connections older than this, below any proxy's or firewall's idle timeout.
    pool_recycle_s: int = Field(default=1800, ge=-1)


def create_db_engine(settings: EngineSettings) -> Engine:
    return create_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_pre_ping=settings.pool_pre_ping,
        pool_recycle=settings.pool_recycle_s,
    )


def limiters(settings: EngineSettings) -> tuple[CapacityLimiter, CapacityLimiter]:
    """Places for (writers, readers): both share one thread and connection per pool_size.
    More threads than that only contend for the interpreter (15 ran creates at 0.6 times
    the rate of 3), so requests never reach max_overflow."""
    connections = CapacityLimiter(settings.pool_size)
    return connections, connections


def begin_without_waiting(session: Session) -> bool:
    """Never: every statement is a round trip to the server and may wait for a row lock,
    so writes run in a worker thread, never on the event loop."""
    return False


def violated_constraints(error: IntegrityError, metadata: MetaData) -> list[Constraint]:
    """The constraint a write broke, by the name the server reports."""
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    constraints = (c for table in metadata.tables.values() for c in table.constraints)
    return [constraint for constraint in constraints if name and constraint.name == name]


def unavailable(error: OperationalError) -> bool:
    """Whether the database, not the code, failed: psycopg raises OperationalError only for
    the connection and the server."""
    return True


def migration_transaction(
    connection: Connection, begin: Callable[[], AbstractContextManager[object]]
) -> AbstractContextManager[object]:
    """The migration transaction `begin` starts: on PostgreSQL one transaction, foreign keys
    enforced."""
    return begin()
