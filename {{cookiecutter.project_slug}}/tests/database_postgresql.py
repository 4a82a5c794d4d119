"""Test databases on PostgreSQL: created and dropped on the server TEST_POSTGRES_URL names.

One database is migrated per run; each test gets a copy (CREATE DATABASE ... TEMPLATE),
dropped afterwards, so tests may run in parallel and leave nothing behind.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.pool import NullPool

from {{ cookiecutter.package_name }}.db.base import Base

SERVER_VARIABLE = "TEST_POSTGRES_URL"


def server() -> Engine:
    url = os.environ.get(SERVER_VARIABLE)
    if not url:
        pytest.exit(
            f"{SERVER_VARIABLE} is not set: point it at a PostgreSQL server where the tests may "
            "create and drop databases, e.g. postgresql+psycopg://postgres:PASSWORD@127.0.0.1/postgres",
            returncode=1,
        )
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def created_database(admin: Engine, template: str | None = None) -> Iterator[str]:
    name = f"test_{uuid.uuid4().hex[:16]}"
    clause = f" TEMPLATE {template}" if template else ""
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}{clause}")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def template_database(directory: Path) -> Iterator[str]:
    """The URL of an empty database, to be migrated once and then copied."""
    admin = server()
    try:
        with created_database(admin) as url:
            yield url
    finally:
        admin.dispose()


@contextmanager
def copy_of(template_url: str, directory: Path) -> Iterator[str]:
    admin = server()
    try:
        with created_database(admin, template=make_url(template_url).database) as url:
            yield url
    finally:
        admin.dispose()


@contextmanager
def write_lock_held_elsewhere(url: str, table: str) -> Iterator[None]:
    """Hold a lock that makes writes to the table wait, from another connection, as another
    process would; reads go on."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            yield
    finally:
        engine.dispose()


def empty(url: str) -> None:
    """Delete every row; new ids start from 1 again, as in a new database."""
    engine = create_engine(url, poolclass=NullPool)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()
