"""Test databases on SQLite: one file migrated per run, a copy of it per test."""

import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text

from {{ cookiecutter.package_name }}.db.base import Base

DRIVER = "sqlite3"  # the DB-API module, as its errors name it
# A statement that takes :seconds, leaving the cores to the rest (sleep_in_sql defines it).
SLEEP = text("SELECT sleep(:seconds)")


def engine_for(url: str) -> Engine:
    """An engine of the test's own that enforces foreign keys, as the service's does: rows a
    test arranges meet the same checks."""
    engine = create_engine(url)
    event.listen(engine, "connect", _enforce_foreign_keys)
    return engine


def _enforce_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


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


@contextmanager
def sleep_in_sql() -> Iterator[None]:
    """SQL's `sleep(seconds)` on every connection any engine opens in the block."""

    def define(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.create_function("sleep", 1, time.sleep)

    event.listen(Engine, "connect", define)
    try:
        yield
    finally:
        event.remove(Engine, "connect", define)


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


def unusable(url: str, directory: Path) -> dict[str, tuple[dict[str, str], str]]:
    """Settings of this database the service cannot run with, by what is wrong: the
    environment, and a part of the one line the command line answers with."""
    folder, not_sqlite, file = directory / "folder", directory / "random.db", directory / "file"
    folder.mkdir()
    not_sqlite.write_bytes(b"not a database\n" * 300)  # longer than SQLite's header
    file.touch()
    # An empty database in WAL mode, as the service leaves its own, opened as a file its user
    # may only read: the connection opens, and the migration's first write is refused.
    wal = directory / "wal.db"
    with closing(sqlite3.connect(wal)) as created:
        created.execute("PRAGMA journal_mode = WAL")
    read_only = f"sqlite:///file:{wal}?mode=ro&uri=true"
    in_file = {
        "a folder": folder,
        "a file that is not a database": not_sqlite,
        "a path through a file": file / "service.db",
    }
    return {
        "a database in memory": ({"DATABASE_URL": "sqlite:///:memory:"}, "a database in memory"),
        "a host": ({"DATABASE_URL": "sqlite://data/service.db"}, "three slashes"),
        "an unknown synchronous mode": ({"SQLITE_SYNCHRONOUS": "OFF"}, "SQLITE_SYNCHRONOUS='OFF'"),
        "a file it may only read": ({"DATABASE_URL": read_only}, "readonly database"),
        **{
            what: ({"DATABASE_URL": f"sqlite:///{path}"}, f"(DATABASE_URL=sqlite:///{path})")
            for what, path in in_file.items()
        },
    }


def unindexed(url: str, statement: str, parameters: Any) -> list[str]:
    """What in the plan of a page's statement reads beyond an index's order: a sort of the
    rows found, or a table read in key order to find those its WHERE names (a column it
    compares, `column = ?`, `column > ?` or the first of `(column, ...) > (...)`, that no
    SEARCH of the plan starts at; an INTEGER PRIMARY KEY shows as the rowid)."""
    with other_connection(url) as connection:
        plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    problems = [f"sorts ({step})" for step in plan if "TEMP B-TREE" in step]
    compared = re.findall(r"(\w+)\.(\w+) ([=>]) \?", statement)
    compared += [
        (table, column, ">")
        for table, column in re.findall(r"\((\w+)\.(\w+), [^)]*\) >", statement)
    ]
    for table, column, operator in compared:
        searched = [step for step in plan if step.startswith(f"SEARCH {table} ")]
        starts = (f"{column}{operator}?", f"rowid{operator}?", f"({column},")
        if not any(start in step for step in searched for start in starts):
            problems.append(f"reads {table} to find {column} {operator} ? ({'; '.join(plan)})")
    return problems
