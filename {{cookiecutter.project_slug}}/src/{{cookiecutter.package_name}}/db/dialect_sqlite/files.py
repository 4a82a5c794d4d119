"""The database's files: where they are, whether they may be written now, and a scratch
database for makemigration."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

from sqlalchemy import (
    URL,
    make_url,
)
from sqlalchemy.dialects.sqlite import insert as insert  # ON CONFLICT DO NOTHING for seeding

from ...settings import Settings


def database_file(settings: Settings) -> Path | None:
    """The database's file; None for a database in memory."""
    database = make_url(settings.database_url).database
    return Path(database) if database and database != ":memory:" else None


def writers_lock(settings: Settings) -> Path | None:
    """The file beside the database through which the processes' writers take turns; None
    for a database in memory, which only its own process sees."""
    database = database_file(settings)
    return database.with_name(f"{database.name}-writers") if database else None


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


@contextmanager
def scratch_database(settings: Settings) -> Iterator[Settings]:
    """The settings with an empty database file of their own, deleted afterwards."""
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory, 'scratch.db')}"
        yield settings.model_copy(update={"database_url": url})
