"""Everything specific to SQLite: the engine and its pragmas, write transactions that queue
for the lock, migrations that keep their cascades, scratch databases for makemigration, and
what its errors mean.

A deferred BEGIN starts a read transaction that later fails at once with "database is locked"
when it tries to write while another connection writes: the busy timeout is not applied to
that upgrade. Write transactions therefore start with BEGIN IMMEDIATE; sessions that only
read opt out with the READ_ONLY execution option: they never take the write lock, and
SQLite refuses any write they attempt.
"""

import fcntl
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any, Final, Literal

from anyio import move_on_after, to_thread
from sqlalchemy import (
    URL,
    Connection,
    Constraint,
    Engine,
    MetaData,
    UniqueConstraint,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects.sqlite import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as DatabaseTimeout
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import ConnectionPoolEntry

from ..settings import Settings
from .slow_services import held_on_the_loop
from .waits import Places

# The begin hook below starts sessions created with this execution option read-only.
READ_ONLY: Final = "read_only"
# Set on a pooled connection: whether the file could not be written when it was opened.
OPENED_READ_ONLY: Final = "opened_read_only"
# Write transactions begun with this option wait at most this many ms for the lock (0: they
# fail at once if it is taken), instead of the connection's busy timeout.
LOCK_WAIT_MS: Final = "lock_wait_ms"
# The driver of asyncio engines: DATABASE_URL names the database alike for sync and async.
ASYNC_DRIVERNAME = "sqlite+aiosqlite"
# Batch mode lets SQLite alter a table by copying it. SQLite's DDL is transactional, but
# Alembic takes it for not and commits each revision on its own: a failed upgrade would leave
# the revisions before it, and the rows of one that broke a foreign key.
MIGRATION_OPTIONS: dict[str, Any] = {"render_as_batch": True, "transactional_ddl": True}


def create_db_engine(settings: Settings) -> Engine:
    url, options = engine_arguments(settings)
    return configure(create_engine(url, **options), settings)


def engine_arguments(settings: Settings) -> tuple[URL, dict[str, Any]]:
    """The URL and options of every engine on the database, sync or async; the database
    file's folder is made."""
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
    connections after an outage, or opened while the file could not be written (for an async
    engine, pass its sync_engine)."""
    event.listen(engine, "connect", partial(_configure_connection, settings))
    if engine.dialect.is_async and database_file(settings):  # in memory: one thread only
        event.listen(engine, "connect", _calls_on_the_loop)
    event.listen(engine, "checkout", partial(_replace_read_only_connections, engine.url))
    event.listen(engine, "begin", partial(_begin, settings))
    event.listen(engine, "handle_error", _replace_connections_on_outage)
    return engine


@contextmanager
def scratch_database(settings: Settings) -> Iterator[Settings]:
    """The settings with an empty database file of their own, deleted afterwards."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory, 'scratch.db')}"
        yield settings.model_copy(update={"database_url": url})


class Writers:
    """The one place for a writer: first come first served within the process, and between
    processes (workers on one file) held through an exclusive lock on the file `lock`, for
    which a waiting worker is woken the moment it is let go.

    Without it, a worker that finds SQLite's lock taken waits in SQLite's busy handler,
    which sleeps 1, 2, 5, 10 ms... between tries while the lock may sit free: with two
    workers on one file, creates had twice the tail (p99) they have with this lock.
    """

    def __init__(self, lock: Path | None) -> None:
        self.lock = lock
        self._queue = Places(1)
        self._lock_file: int | None = None  # open while this process's writer holds the place

    async def acquire(self, deadline: float) -> None:
        """Wait for the place until the deadline (cancelling the wait leaves nothing held)."""
        await self._queue.acquire(deadline)
        try:
            if self.lock is not None:
                self._lock_file = await self._locked(self.lock, deadline)
        except BaseException:
            self._queue.release()
            raise

    def release(self) -> None:
        try:
            if self._lock_file is not None:
                os.close(self._lock_file)  # which lets go of the lock
        finally:
            self._lock_file = None
            self._queue.release()

    async def _locked(self, lock: Path, deadline: float) -> int:
        try:
            return locked_file(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # another worker writes: wait off the event loop
        wait = _LockWait(lock)
        try:
            with move_on_after(deadline - time.monotonic()):
                return await to_thread.run_sync(wait.locked, abandon_on_cancel=True)
            raise DatabaseTimeout("another worker's writer held the lock past the deadline")
        except BaseException:
            wait.give_up()
            raise


class _LockWait:
    """A wait in a worker thread for the lock, which the waiting writer may give up: a lock
    the thread takes after that is let go at once. (A thread left waiting stays blocked until
    the lock is free, then takes it and lets go.)"""

    def __init__(self, lock: Path) -> None:
        self._lock = lock
        self._mutex = threading.Lock()
        self._given_up = False
        self._taken: int | None = None

    def locked(self) -> int:
        """The lock file, locked; -1 if the writer gave up meanwhile."""
        lock_file = locked_file(self._lock, fcntl.LOCK_EX)
        with self._mutex:
            if self._given_up:
                os.close(lock_file)
                return -1
            self._taken = lock_file
        return lock_file

    def give_up(self) -> None:
        with self._mutex:
            self._given_up = True
            if self._taken is not None:  # taken just as the writer gave up
                os.close(self._taken)


def locked_file(lock: Path, operation: int) -> int:
    """The lock file, opened and locked with `operation` (flock); closed if that fails."""
    # Readable and writable by whoever may run the service, as the database file is.
    lock_file = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(lock_file, operation)
    except BaseException:
        os.close(lock_file)
        raise
    return lock_file


def limiters(settings: Settings) -> tuple[Writers, None, Places]:
    """Places for (writers, readers, slow services' calls). SQLite's lock admits one writer,
    so writers queue for it one at a time, across the processes on the file too (Writers).
    Reads take no thread (None): in WAL mode they do not wait for writers, and a hop to a
    thread and back costs more than the read. Slow services' calls run in threads, one per
    pooled connection but the two that work on the event loop and a writer may need: with
    three connections or more, the loop never waits for one."""
    slow = Places(max(1, settings.pool_size + settings.max_overflow - 2))
    return Writers(writers_lock(settings)), None, slow


def writers_lock(settings: Settings) -> Path | None:
    """The file beside the database through which the processes' writers take turns; None
    for a database in memory, which only its own process sees."""
    database = database_file(settings)
    return database.with_name(f"{database.name}-writers") if database else None


def database_file(settings: Settings) -> Path | None:
    """The database's file; None for a database in memory."""
    database = make_url(settings.database_url).database
    return Path(database) if database and database != ":memory:" else None


# Less room than this on the database's disk, and a write may fail for want of it.
_LEAST_FREE_BYTES: Final = 1 << 20


def unwritable(url: URL) -> str | None:
    """Why the database cannot take writes now, as far as the file system tells; None if it
    can. SQLite opens a file it may not write read-only, and fails only the first write."""
    database = url.database
    if not database or database == ":memory:":
        return None
    file = Path(database)
    # The folder holds the journal files SQLite creates; the -wal and -shm files are written.
    journals = (file.with_name(f"{file.name}-wal"), file.with_name(f"{file.name}-shm"))
    if os.access(file, os.W_OK):
        _give_back_the_mode(file, journals)
    for path in (file, *journals):
        if path.exists() and not os.access(path, os.W_OK):
            return f"{path.name} is read-only"
    if not os.access(file.parent, os.W_OK):
        return f"the folder of {file.name} is read-only"
    disk = os.statvfs(file.parent)
    if disk.f_bavail * disk.f_frsize < _LEAST_FREE_BYTES:
        return f"the disk of {file.name} is full"
    return None


def _give_back_the_mode(file: Path, journals: tuple[Path, ...]) -> None:
    """SQLite makes the -wal and -shm files with the database file's mode: made while the file
    was read-only, they stay read-only after it no longer is, and with them the database,
    until every connection of every process has closed. They get the file's mode back (when
    this process's user made them: a chmod of someone else's fails)."""
    for journal in journals:
        with suppress(OSError):  # gone, or another user's
            if not os.access(journal, os.W_OK) and journal.stat().st_uid == os.geteuid():
                journal.chmod(file.stat().st_mode & 0o777)


def lock_wait(seconds: float) -> dict[str, Any]:
    """The execution options of a write transaction that waits at most `seconds` for the
    lock, then fails with SQLITE_BUSY (errors.py answers 503)."""
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


def violated_constraints(error: IntegrityError, metadata: MetaData) -> list[Constraint]:
    """The constraints a write may have broken, as far as SQLite tells: a UNIQUE failure
    names its columns ("UNIQUE constraint failed: users.email"); a FOREIGN KEY failure names
    nothing, so every reference of the table the statement wrote is a candidate."""
    kind = getattr(error.orig, "sqlite_errorname", None)
    if kind == "SQLITE_CONSTRAINT_UNIQUE":
        qualified = str(error.orig).rpartition(": ")[2].split(", ")
        table = metadata.tables.get(qualified[0].partition(".")[0])
        columns = {name.partition(".")[2] for name in qualified}
        candidates = table.constraints if table is not None else set()
        return [
            constraint
            for constraint in candidates
            if isinstance(constraint, UniqueConstraint)
            and {column.name for column in constraint.columns} == columns
        ]
    statement = re.match(r'(INSERT INTO|UPDATE|DELETE FROM) "?(\w+)', error.statement or "")
    if kind != "SQLITE_CONSTRAINT_FOREIGNKEY" or statement is None:
        return []
    verb, name = statement.groups()
    references = (fk for table in metadata.tables.values() for fk in table.foreign_key_constraints)
    if verb == "DELETE FROM":  # rows elsewhere still refer to the deleted one
        suspects = [fk for fk in references if fk.referred_table.name == name]
    else:
        suspects = [fk for fk in references if fk.table.name == name]
    return sorted(suspects, key=lambda fk: str(fk.name))


# SQLite's primary result codes for a database that failed rather than a statement it
# refused: busy, out of memory, I/O error, corrupt, full, cannot open, locking protocol, not a
# database.
_OUTAGES = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)


def unavailable(error: OperationalError) -> bool:
    """Whether the database, not the code, failed. A statement SQLite refuses (a write through
    a read session, too many parameters, a missing table) fails as an OperationalError too,
    and is a bug to report as one."""
    # The async driver's lost connection has no code; _replace_connections_on_outage marks
    # the rest.
    if error.connection_invalidated:
        return True
    return _outage(getattr(error.orig, "sqlite_errorcode", None), writing=False)


def _outage(code: int | None, writing: bool) -> bool:
    if code is None:
        return False
    # Plain SQLITE_READONLY in a read session is a write it attempted (query_only): a bug. In
    # a write session the file cannot be written; its extended codes say the file was moved
    # or replaced.
    if (code & 0xFF) == sqlite3.SQLITE_READONLY:
        return writing or code != sqlite3.SQLITE_READONLY
    return (code & 0xFF) in _OUTAGES


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
    if code != sqlite3.SQLITE_BUSY and _outage(code, writing):
        context.is_disconnect = True


def conflicted(error: Exception) -> bool:
    """Whether a write failed only because a concurrent one changed what it works on. Writes
    to SQLite take turns, so only the ORM could find so (StaleDataError)."""
    return isinstance(error, StaleDataError)


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


def _calls_on_the_loop(_: Any, record: ConnectionPoolEntry) -> None:
    """Make the async driver's calls right on the event loop while a service runs there
    (db/slow_services.py). aiosqlite makes each call in a thread of the connection's own and
    hands its result back: two thread switches per statement, which cost more than the
    statement and, under load, wait for the interpreter's lock. In WAL mode a read never
    waits for another process, nor does a write that holds the lock (db/session.py begins
    it so); whatever may wait runs in the driver's thread."""
    driver: Any = record.driver_connection
    in_its_thread = driver._execute  # what every call of the connection and its cursors awaits

    async def execute(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if (held := held_on_the_loop()) is None:
            return await in_its_thread(function, *args, **kwargs)
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            held.seconds += time.perf_counter() - began

    driver._execute = execute


def _begin(settings: Settings, connection: Connection) -> None:
    options = connection.get_execution_options()
    read_only = options.get(READ_ONLY, False)
    # query_only makes SQLite itself refuse writes, Core statements included. It lasts on the
    # connection, so it changes only when a pooled connection changes between reads and writes.
    if connection.info.get(READ_ONLY, False) != read_only:
        connection.exec_driver_sql(f"PRAGMA query_only = {int(read_only)}")
        connection.info[READ_ONLY] = read_only
    if read_only:
        connection.exec_driver_sql("BEGIN")
    elif (wait_ms := options.get(LOCK_WAIT_MS)) is not None:
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
    # Through the DB-API cursor, which the async driver's adapter provides too.
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
