"""Migrations on SQLite: all of an upgrade's revisions in one transaction, with foreign keys off
while batch mode copies tables, and checked before the transaction commits."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from typing import Any, Literal

from sqlalchemy import (
    Connection,
)
from sqlalchemy.dialects.sqlite import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.exc import OperationalError

from ...settings import Settings
from .connections import lock_wait

# Batch mode lets SQLite alter a table by copying it. SQLite's DDL is transactional, but
# Alembic takes it for not and commits each revision on its own: a failed upgrade would leave
# the revisions before it, and the rows of one that broke a foreign key.
MIGRATION_OPTIONS: dict[str, Any] = {"render_as_batch": True, "transactional_ddl": True}


@contextmanager
def migration_transaction(
    connection: Connection, begin: Callable[[], AbstractContextManager[object]], settings: Settings
) -> Iterator[None]:
    """The migration transaction `begin` starts, once the write lock is free within the
    migration's lock timeout, run with foreign keys off and checked before it commits.

    Batch migrations copy a table and DROP the original; with foreign keys on, that DROP
    silently deletes every ON DELETE CASCADE child row. The pragma only takes effect
    outside a transaction, so it is set before the migration transaction begins.
    """
    driver = connection.connection.driver_connection
    if driver is None or driver.in_transaction:
        raise RuntimeError("migrations must start outside a transaction to turn foreign keys off")
    _foreign_keys(connection, "OFF")
    connection.execution_options(**lock_wait(settings.migration_lock_timeout_ms / 1000))
    try:
        with begin():
            yield
            _check_foreign_keys(connection)
    finally:
        # A connection an error invalidated (a file it may not write) is closed already.
        if not connection.invalidated:
            _foreign_keys(connection, "ON")


def _foreign_keys(connection: Connection, state: Literal["ON", "OFF"]) -> None:
    # Straight to the driver: SQLite ignores this pragma inside a transaction, and a statement
    # through SQLAlchemy would begin one.
    with closing(connection.connection.cursor()) as cursor:
        cursor.execute(f"PRAGMA foreign_keys = {state}")


def migration_timeout(error: OperationalError) -> str | None:
    """The setting whose limit a migration's statement met: another connection held the
    write lock for longer than its busy timeout."""
    busy = getattr(error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
    return "MIGRATION_LOCK_TIMEOUT_MS" if busy else None


def _check_foreign_keys(connection: Connection) -> None:
    """Fail, and so roll back, a migration that left rows pointing at nothing."""
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        rows = ", ".join(
            f"{table} rowid {rowid} -> {parent}" for table, rowid, parent, _ in violations[:10]
        )
        raise RuntimeError(f"migration broke {len(violations)} foreign key(s): {rows}")
