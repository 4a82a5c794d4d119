"""Connections to the SQLite file: the pragmas each one gets, and transactions that begin as
the request needs them.

A deferred BEGIN starts a read transaction that later fails at once with "database is locked"
when it tries to write while another connection writes: the busy timeout is not applied to
that upgrade. Write transactions therefore start with BEGIN IMMEDIATE; read sessions
(`read_engine`) opt out with the READ_ONLY execution option: they never take the write lock,
SQLite refuses any write they attempt, and they begin no transaction. Each statement of a
read then runs on its own and sees what was committed when it began; a BEGIN and a ROLLBACK
around it would cost more than a primary-key read. A read that needs one snapshot across its
statements begins one itself: `session.execute(text("BEGIN"))` before its first query.
After an outage, or once a file that was read-only may be written again, the pool's
connections are replaced.
"""

import sqlite3
from contextlib import suppress
from functools import partial
from typing import Any, Final

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects.sqlite import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from ...settings import Settings
from .failures import outage
from .files import database_file, unwritable

# The begin hook below starts sessions created with this execution option read-only.
READ_ONLY: Final = "read_only"


# Set on a pooled connection: whether the file could not be written when it was opened.
OPENED_READ_ONLY: Final = "opened_read_only"


# Write transactions begun with this option wait at most this many ms for the lock (0: they
# fail at once if it is taken), instead of the connection's busy timeout.
LOCK_WAIT_MS: Final = "lock_wait_ms"


def create_db_engine(settings: Settings) -> Engine:
    url, options = engine_arguments(settings)
    return configure(create_engine(url, **options), settings)


def read_engine(engine: Engine, settings: Settings) -> Engine:
    """The engine of read sessions: the writers' pool, its connections made to refuse writes
    (query_only) and to begin no transaction while they read."""
    return engine.execution_options(**{READ_ONLY: True})


def engine_arguments(settings: Settings) -> tuple[URL, dict[str, Any]]:
    """The URL and options of every engine on the database; the database file's folder is
    made."""
    url = make_url(settings.database_url)
    if database := database_file(settings):
        # If it cannot be made (a file on its path), SQLite says it cannot open the database.
        with suppress(OSError):
            database.parent.mkdir(parents=True, exist_ok=True)
    options = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.max_overflow,
        "pool_timeout": settings.pool_timeout,
        # A statement's values come from request bodies: errors, and so logs, never show them.
        "hide_parameters": True,
    }
    return url, options


def configure(engine: Engine, settings: Settings) -> Engine:
    """Set the pragmas on each new connection, begin transactions as below, and replace the
    connections after an outage, or opened while the file could not be written."""
    event.listen(engine, "connect", partial(_configure_connection, settings))
    event.listen(engine, "checkout", partial(_replace_read_only_connections, engine.url))
    event.listen(engine, "begin", partial(_begin, settings))
    event.listen(engine, "handle_error", _replace_connections_on_outage)
    return engine


def lock_wait(seconds: float) -> dict[str, Any]:
    """The execution options of a write transaction that waits at most `seconds` for the
    lock, then fails with SQLITE_BUSY (handlers.py answers 503)."""
    return {LOCK_WAIT_MS: max(0, round(seconds * 1000))}


def begin_without_waiting(session: Session) -> bool:
    """Begin the session's write transaction if the lock is free; False if another process
    holds it. Once this process holds the lock, nothing in a WAL-mode write transaction
    waits for another process, so the write may run on the event loop."""
    try:
        session.connection(execution_options=lock_wait(0))
    except OperationalError as error:
        if getattr(error.orig, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY:
            raise
        return False
    return True


def _replace_read_only_connections(url: URL, _: Any, record: ConnectionPoolEntry, __: Any) -> None:
    """Replace a connection SQLite opened read-only (it stays so for good) once the file may
    be written again."""
    if OPENED_READ_ONLY not in record.info:  # a new connection
        record.info[OPENED_READ_ONLY] = unwritable(url) is not None
    elif record.info[OPENED_READ_ONLY] and unwritable(url) is None:
        raise DisconnectionError("the database file may be written again")


def _replace_connections_on_outage(context: ExceptionContext) -> None:
    """After the database failed (a file it could not write, a full disk, an I/O error), open
    new connections."""
    code = getattr(context.original_exception, "sqlite_errorcode", None)
    connection = context.connection
    writing = connection is not None and not connection.info.get(READ_ONLY, False)
    # A lock another process holds leaves the connection as it was.
    if code != sqlite3.SQLITE_BUSY and outage(code, writing):
        context.is_disconnect = True


def _configure_connection(settings: Settings, dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, decides when a transaction begins (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {settings.database_timeout_ms:d}")
    # WAL persists in the file; switch only once so workers do not race for the lock.
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "wal":
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA synchronous = {settings.sqlite_synchronous}")
    cursor.execute(f"PRAGMA cache_size = -{settings.sqlite_cache_size_kib:d}")
    cursor.execute("PRAGMA temp_store = MEMORY")
    cursor.close()


def _begin(settings: Settings, connection: Connection) -> None:
    options = connection.get_execution_options()
    read_only = options.get(READ_ONLY, False)
    # query_only makes SQLite itself refuse writes, Core statements included. It lasts on the
    # connection, so it changes only when a pooled connection changes between reads and writes.
    if connection.info.get(READ_ONLY, False) != read_only:
        connection.exec_driver_sql(f"PRAGMA query_only = {int(read_only)}")
        connection.info[READ_ONLY] = read_only
    if read_only:
        return  # no BEGIN: each statement of a read commits on its own (see above)
    if (wait_ms := options.get(LOCK_WAIT_MS)) is not None:
        # The pragmas go straight to the driver: through SQLAlchemy they would cost more than
        # the BEGIN they bracket, on every write.
        cursor = connection.connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {wait_ms:d}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {settings.database_timeout_ms:d}")
            cursor.close()
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
