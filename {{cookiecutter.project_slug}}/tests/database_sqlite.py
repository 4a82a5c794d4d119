"""Test databases on SQLite: one file migrated per run, a copy of it per test."""

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def template_database(directory: Path) -> Iterator[str]:
    """The URL of an empty database, to be migrated once and then copied."""
    yield f"sqlite:///{directory / 'migrated.db'}"


@contextmanager
def copy_of(template_url: str, directory: Path) -> Iterator[str]:
    copy = directory / "test.db"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), copy)
    yield f"sqlite:///{copy}"


@contextmanager
def write_lock_held_elsewhere(url: str, table: str) -> Iterator[None]:
    """Hold the database's write lock (the whole file's, whatever the table) from another
    connection, as another process would."""
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.rollback()
    finally:
        other.close()
