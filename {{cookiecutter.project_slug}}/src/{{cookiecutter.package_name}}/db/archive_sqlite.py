"""Backups of the SQLite file, through SQLite's online backup API.

The copy is made from one read transaction: in WAL mode writers go on beside it, and it is
the database as it was when the backup began, however long it takes. (Steps taken outside
a transaction start over whenever a writer commits, and may never end.) A restore writes the
backup into the database in one write transaction, while it holds the writers' lock.
"""

import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Final

from ..settings import Settings
from .dialect import database_file, locked_file, writers_lock

# Pages copied between two looks at the clock for progress (400 KiB at the default page size).
PAGES_PER_STEP: Final = 100
REPORT_EVERY_S: Final = 2.0


class Refused(RuntimeError):
    """A backup or restore not made, or not finished, for a reason told in one line."""


def snapshot(settings: Settings, copy: Path, report: Callable[[str], object]) -> None:
    """Copy the database, as it is now, into the file `copy`."""
    try:
        with _connected(settings, create=False) as source, closing(sqlite3.connect(copy)) as target:
            source.execute("PRAGMA query_only = ON")
            source.execute("BEGIN")
            source.execute("SELECT 1 FROM sqlite_schema LIMIT 1")  # the snapshot starts here
            source.backup(target, pages=PAGES_PER_STEP, progress=_progress(report))
            source.execute("COMMIT")
            # The copy took the database's WAL mode: a backup is one file, no -wal beside it.
            (mode,) = target.execute("PRAGMA journal_mode = DELETE").fetchone()
            if mode != "delete":
                raise Refused(f"the backup stayed in {mode} mode")
    except sqlite3.Error as error:
        raise Refused(str(error)) from None


def checked_revision(backup: Path) -> str:
    """The schema revision of a backup that passes SQLite's own checks."""
    try:
        with _read_only(backup) as copy:
            (damage,) = copy.execute("PRAGMA integrity_check(1)").fetchone()
            if damage != "ok":
                raise Refused(f"{backup} is damaged: {damage}")
            if copy.execute("PRAGMA foreign_key_check").fetchone():
                raise Refused(f"{backup} has rows whose foreign keys point at no row")
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_CORRUPT:  # extended codes too
            raise Refused(f"{backup} is damaged: {error}") from None
        raise Refused(f"{backup} is not a backup of the service's database ({error})") from None
    if revision is None:
        raise Refused(f"{backup} records no schema revision")
    return str(revision[0])


@contextmanager
def writers_held(settings: Settings) -> Iterator[None]:
    """Hold the lock the service's writers take turns through, across its workers: while a
    restore replaces the database and migrates it, they wait (DATABASE_TIMEOUT_MS, then 503)."""
    lock = writers_lock(settings)
    assert lock is not None, "a file database has a writers' lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock_file = locked_file(lock, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(lock_file)


def replace(settings: Settings, backup: Path) -> None:
    """Write the backup over the database, in one transaction."""
    with _connected(settings, create=True) as target, _read_only(backup) as copy:
        try:
            copy.backup(target)  # in one step: all the pages or none
        except sqlite3.Error as error:
            raise Refused(f"the database was left as it was: {error}") from None


@contextmanager
def _read_only(backup: Path) -> Iterator[sqlite3.Connection]:
    """The backup, read as a file nothing changes: no -wal or -shm made beside it."""
    uri = f"{backup.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as copy:
        yield copy


@contextmanager
def _connected(settings: Settings, create: bool) -> Iterator[sqlite3.Connection]:
    database = database_file(settings)
    assert database is not None, "settings name a database file"
    if create:
        database.parent.mkdir(parents=True, exist_ok=True)
    elif not database.exists():
        raise Refused(f"no database file at {database}")
    wait_s = settings.database_timeout_ms / 1000
    with closing(sqlite3.connect(database, timeout=wait_s, isolation_level=None)) as connection:
        yield connection


def _progress(report: Callable[[str], object]) -> Callable[[int, int, int], None]:
    last = time.monotonic()

    def step(_status: int, remaining: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= REPORT_EVERY_S:
            last = time.monotonic()
            report(f"{100 * (total - remaining) // total}% of {total} pages")

    return step
