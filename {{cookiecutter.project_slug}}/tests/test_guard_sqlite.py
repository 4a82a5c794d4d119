"""SQLite: pragmas on every connection, writers that take the lock at BEGIN, reads that begin
no transaction and never wait for them, 503 only for a database that fails, safe batch
migrations."""

import sqlite3
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.db.dialect import unavailable
from {{ cookiecutter.package_name }}.maintenance.migrate import upgrade
from {{ cookiecutter.package_name }}.models import User
from {{ cookiecutter.package_name }}.settings import Settings

from tests.database import other_connection
from tests.factories import new_tag, one_of_every_row
from tests.migrations import migrations_plus
from tests.sessions import in_session

# Recreates every table other tables point at, as a batch migration on SQLite does.
BATCH_COPY = """
for table in {parents!r}:
    with op.batch_alter_table(table, recreate="always"):
        pass
"""


EXPECTED = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1}


def value_of(cursor: Any, pragma: str) -> object:
    cursor.execute(f"PRAGMA {pragma}")  # what execute returns differs between drivers
    return cursor.fetchone()[0]


def test_every_pooled_connection_is_configured(settings: Settings) -> None:
    # A busy timeout unlike the driver's default (5000 ms) proves the setting is applied.
    settings = settings.model_copy(update={"database_timeout_ms": 4321})
    expected = EXPECTED | {"busy_timeout": settings.database_timeout_ms}

    def pragmas_of_pooled_connections(session: Session) -> list[dict[str, object]]:
        engine = session.connection().engine
        with ExitStack() as stack:
            # Hold pool_size connections at once so each is a different DBAPI connection.
            held = [engine.raw_connection() for _ in range(settings.pool_size)]
            cursors = [stack.enter_context(closing(connection)).cursor() for connection in held]
            return [{pragma: value_of(cursor, pragma) for pragma in expected} for cursor in cursors]

    for number, pragmas in enumerate(in_session(settings, pragmas_of_pooled_connections)):
        for pragma, value in expected.items():
            assert pragmas[pragma] == value, (
                f"pooled connection {number}: PRAGMA {pragma} is {pragmas[pragma]!r}, not "
                f"{value!r}; set it in the engine's connect hook (db/dialect/connections.py)"
            )


def write_lock_refusal(settings: Settings) -> str | None:
    """Try to take the write lock from a second connection that does not wait; why it failed."""
    with other_connection(settings.database_url, timeout=0) as writer:
        try:
            writer.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return str(exc)
        writer.execute("ROLLBACK")
        return None


def read_then_try_the_lock(settings: Settings) -> Callable[[Session], str | None]:
    def attempt(session: Session) -> str | None:
        session.execute(select(User.id).limit(1))  # a read first, as in read-then-write routes
        return write_lock_refusal(settings)

    return attempt


def test_write_transactions_take_the_write_lock_at_begin(settings: Settings) -> None:
    refusal = in_session(settings, read_then_try_the_lock(settings))
    assert refusal is not None, (
        "a write transaction that has only read does not hold the write lock: it began with a "
        "deferred BEGIN and will fail with 'database is locked' when it writes under load. "
        "Emit BEGIN IMMEDIATE in the engine's begin hook (db/dialect/connections.py)"
    )
    assert "locked" in refusal


def test_read_sessions_leave_the_write_lock_free(settings: Settings) -> None:
    refusal = in_session(settings, read_then_try_the_lock(settings), read=True)
    assert refusal is None, (
        f"a read-only session blocked writers ({refusal}); it must not BEGIN IMMEDIATE"
    )


def in_a_transaction(session: Session) -> bool:
    session.execute(select(User.id).limit(1))
    driver: Any = session.connection().connection.driver_connection  # sqlite3's or aiosqlite's
    return bool(driver.in_transaction)


def test_reads_begin_no_transaction(settings: Settings) -> None:
    assert not in_session(settings, in_a_transaction, read=True), (
        "a read began a transaction: its BEGIN and ROLLBACK cost more than a primary-key read, "
        "and each statement of a read runs on its own (_begin in db/dialect/connections.py)"
    )
    assert in_session(settings, in_a_transaction), "a write began no transaction"


def test_reads_do_not_wait_for_a_writer(
    client: TestClient, arrange: sessionmaker[Session], settings: Settings
) -> None:
    with arrange.begin() as session:
        tag = new_tag(session)
    with other_connection(settings.database_url, timeout=0) as writer:
        writer.execute("BEGIN EXCLUSIVE")  # in WAL mode, readers go on regardless
        began = time.monotonic()
        response = client.get(f"/tags/{tag.id}")
        waited = time.monotonic() - began
        writer.execute("ROLLBACK")
    waits = (
        f"a read waited {waited:.1f} s for a writer and answered {response.status_code}: reads "
        "must not wait for writers. Keep the database in WAL mode (PRAGMA journal_mode = WAL "
        "in the connect hook) and reads out of BEGIN IMMEDIATE (db/dialect/connections.py)"
    )
    assert response.status_code == 200, waits
    assert waited < 1, waits


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def refusal(connection: sqlite3.Connection, statement: str) -> OperationalError:
    """What SQLAlchemy raises when SQLite fails `statement`."""
    try:
        connection.execute(statement)
    except sqlite3.OperationalError as error:
        return OperationalError(statement, None, error)
    raise AssertionError(f"SQLite ran {statement!r}")


def test_only_a_failing_database_answers_503(tmp_path: Path) -> None:
    file = tmp_path / "database"
    with (
        closing(sqlite3.connect(file, timeout=0, isolation_level=None)) as one,
        closing(sqlite3.connect(file, timeout=0, isolation_level=None)) as other,
    ):
        one.execute("CREATE TABLE t (a)")
        refused = refusal(one, "SELECT * FROM nowhere")
        one.execute("BEGIN IMMEDIATE")
        failures = [refusal(other, "BEGIN IMMEDIATE")]  # busy
        one.execute("ROLLBACK")
        file.unlink()
        failures.append(refusal(one, "INSERT INTO t VALUES (1)"))  # the file is gone
    for failure in failures:
        assert unavailable(failure), f"{failure.orig}: a failing database answers 503"
    assert not unavailable(refused), (
        f"a statement SQLite refuses ({refused.orig}) counts as the database being unavailable, "
        "so the client is told to retry (503) what can never succeed. unavailable() in "
        "db/dialect/failures.py must name the result codes of a failing database"
    )


def test_batch_migration_keeps_child_rows(
    settings: Settings, arrange: sessionmaker[Session], fresh_engine: Engine, tmp_path: Path
) -> None:
    with arrange.begin() as session:
        one_of_every_row(session)
    before = row_counts(fresh_engine)

    parents = sorted(
        {fk.column.table.name for t in Base.metadata.tables.values() for fk in t.foreign_keys}
    )
    upgrade(settings, "head", migrations_plus(tmp_path, BATCH_COPY.format(parents=parents)))

    after = row_counts(fresh_engine)
    lost = [
        f"{table} {before[table]} -> {after[table]}"
        for table in before
        if after[table] != before[table]
    ]
    assert not lost, (
        f"a batch migration recreating {parents} changed row counts ({', '.join(lost)}): the "
        "migration environment must turn foreign keys off before its transaction "
        "(migration_transaction in db/dialect/migrations.py)"
    )
