"""SQLite settings that every connection needs, and write transactions that take the lock first."""

import sqlite3
from contextlib import ExitStack, closing

from sqlalchemy import select

from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.settings import Settings

EXPECTED = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1}


def test_every_pooled_connection_is_configured(settings: Settings) -> None:
    # A busy timeout unlike the driver's default (5000 ms) proves the setting is applied.
    settings = settings.model_copy(update={"sqlite_busy_timeout_ms": 4321})
    expected = EXPECTED | {"busy_timeout": settings.sqlite_busy_timeout_ms}
    database = Database.from_settings(settings)
    with ExitStack() as stack:
        stack.callback(database.dispose)
        # Hold pool_size connections at once so each is a different DBAPI connection.
        for number in range(settings.pool_size):
            cursor = stack.enter_context(closing(database.engine.raw_connection())).cursor()
            for pragma, value in expected.items():
                actual = cursor.execute(f"PRAGMA {pragma}").fetchone()[0]
                assert actual == value, (
                    f"pooled connection {number}: PRAGMA {pragma} is {actual!r}, not {value!r}; "
                    "set it in the engine's connect hook (db/engine.py)"
                )


def write_lock_refusal(settings: Settings) -> str | None:
    """Try to take the write lock from a second connection that does not wait; why it failed."""
    path = settings.database_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as writer:
        try:
            writer.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return str(exc)
        writer.execute("ROLLBACK")
        return None


def test_write_transactions_take_the_write_lock_at_begin(
    database: Database, settings: Settings
) -> None:
    with database.sessions() as session, session.begin():
        session.execute(select(User.id).limit(1))  # a read first, as in read-then-write routes
        refusal = write_lock_refusal(settings)
    assert refusal is not None, (
        "a write transaction that has only read does not hold the write lock: it began with a "
        "deferred BEGIN and will fail with 'database is locked' when it writes under load. "
        "Emit BEGIN IMMEDIATE in the engine's begin hook (db/engine.py)"
    )
    assert "locked" in refusal


def test_read_sessions_leave_the_write_lock_free(database: Database, settings: Settings) -> None:
    with database.read_sessions() as session, session.begin():
        session.execute(select(User.id).limit(1))
        refusal = write_lock_refusal(settings)
    assert refusal is None, (
        f"a read-only session blocked writers ({refusal}); it must BEGIN deferred"
    )
