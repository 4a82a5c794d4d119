"""Test databases on SQLite: one file migrated per run, a copy of it per test."""

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url

from {{ cookiecutter.package_name }}.db.base import Base


@contextmanager
def template_database(directory: Path) -> Iterator[str]:
    """The URL of an empty database, to be migrated once and then copied."""
    yield f"sqlite:///{directory / 'migrated.db'}"


@contextmanager
def copy_of(template_url: str, directory: Path) -> Iterator[str]:
    copy = directory / "test.db"
    shutil.copyfile(path_of(template_url), copy)
    yield f"sqlite:///{copy}"


@contextmanager
def write_lock_held_elsewhere(url: str, table: str) -> Iterator[None]:
    """Hold the database's write lock (the whole file's, whatever the table) from another
    connection, as another process would."""
    with other_connection(url) as other:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.rollback()


def other_connection(url: str, timeout: float = 5.0) -> closing[sqlite3.Connection]:
    """A connection to the database file outside the service's engine, as another process
    would open it; autocommit, so the caller issues BEGIN and ROLLBACK itself."""
    return closing(sqlite3.connect(path_of(url), timeout=timeout, isolation_level=None))


def path_of(url: str) -> str:
    path = make_url(url).database
    assert path, f"{url} names no database file"
    return path


def empty(url: str) -> None:
    """Delete every row; new ids start from 1 again, as in a new database."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        engine.dispose()
