"""Test databases on the PostgreSQL server TEST_POSTGRES_URL names: created and dropped there.

One database is migrated per run. Each test process keeps one copy of it (CREATE DATABASE ...
TEMPLATE), which its tests take turns on: after each test, whatever it left connected is
disconnected, every table emptied and the copy renamed, a fifth of what a new copy costs.
A test that leaves other tables, columns or constraints than the migrations make (a failed
downgrade) gets the copy dropped, and the next test a new one; so does every test when the
migrations insert rows, which emptying would lose. Parallel test processes never share a
copy, and nothing is left behind.
"""

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

SERVER_VARIABLE = "TEST_POSTGRES_URL"


DISCONNECT = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = :database AND pid <> pg_backend_pid()"
)


# What a test could change of the schema: relations (tables, views, sequences, indexes) and
# their columns, index and constraint definitions, types (enums), triggers; and the revision
# Alembic records (a test's own revision may change nothing else).
SCHEMA = text(
    "SELECT md5(string_agg(part, ',' ORDER BY part)) FROM ("
    " SELECT concat_ws(' ', table_name, column_name, data_type, is_nullable, column_default)"
    " AS part FROM information_schema.columns WHERE table_schema = 'public'"
    " UNION ALL SELECT concat_ws(' ', relname, relkind) FROM pg_class"
    " WHERE relnamespace = 'public'::regnamespace"
    " UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'"
    " UNION ALL SELECT concat_ws(' ', conname, pg_get_constraintdef(oid)) FROM pg_constraint"
    " WHERE connamespace = 'public'::regnamespace"
    " UNION ALL SELECT typname::text FROM pg_type WHERE typnamespace = 'public'::regnamespace"
    " UNION ALL SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal"
    " UNION ALL SELECT 'revision ' || version_num FROM alembic_version) AS parts"
)


TABLES = text(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
)


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
def created_database(admin: Engine) -> Iterator[str]:
    url = create(admin)
    try:
        yield url
    finally:
        drop(admin, url)


def create(admin: Engine, template: str | None = None) -> str:
    name = new_name()
    clause = f" TEMPLATE {template}" if template else ""
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}{clause}")
    return admin.url.set(database=name).render_as_string(hide_password=False)


def new_name() -> str:
    return f"test_{uuid.uuid4().hex[:16]}"


def drop(admin: Engine, url: str) -> None:
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)")


# The copy the tests of this process take turns on, by the URL of the database it copies.
shared_copies: dict[str, str] = {}


@contextmanager
def template_database(directory: Path) -> Iterator[str]:
    """The URL of an empty database, to be migrated once and then copied."""
    admin = server()
    try:
        with created_database(admin) as url:
            try:
                yield url
            finally:
                if copy := shared_copies.pop(url, None):
                    drop(admin, copy)
    finally:
        admin.dispose()


@contextmanager
def copy_of(template_url: str, directory: Path) -> Iterator[str]:
    """A migrated database for one test, empty unless the migrations insert rows."""
    template = make_url(template_url).database
    assert template, f"{template_url} names no database"
    admin = server()
    try:
        url = shared_copies.pop(template_url, None) or create(admin, template)
        try:
            yield url
        finally:
            if reused := reusable(admin, url, template_url):
                shared_copies[template_url] = reused
    finally:
        admin.dispose()


def reusable(admin: Engine, url: str, template_url: str) -> str | None:
    """The copy emptied, under a new name, for the next test: a pool the last test left
    behind cannot reconnect to it. None, and the copy dropped, when it cannot be reused."""
    try:
        # As DROP DATABASE ... WITH (FORCE) would: no connection the test left stays.
        with admin.connect() as connection:
            connection.execute(DISCONNECT, {"database": make_url(url).database})
        digest, holds_rows = migrated(template_url)
        if holds_rows or not emptied(url, digest):
            drop(admin, url)
            return None
        return rename(admin, url)
    except Exception:
        drop(admin, url)
        raise


def rename(admin: Engine, url: str) -> str:
    name = new_name()
    with admin.connect() as connection:
        connection.exec_driver_sql(f"ALTER DATABASE {make_url(url).database} RENAME TO {name}")
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def emptied(url: str, schema_digest: str | None) -> bool:
    """Empty the database, in one connection, if its schema is still the one digested."""
    with connected(url) as connection:
        if connection.scalar(SCHEMA) != schema_digest:
            return False
        truncate(connection)
        return True


@functools.cache  # the migrated database does not change once it is copied
def migrated(url: str) -> tuple[str | None, bool]:
    """A digest of what SCHEMA lists, and whether any table has a row (Alembic's version
    aside)."""
    with connected(url) as connection:
        quote = connection.dialect.identifier_preparer.quote
        exists = (f"SELECT EXISTS (SELECT FROM {quote(name)})" for name in tables(connection))
        holds_rows = any(connection.scalar(text(query)) for query in exists)
        return connection.scalar(SCHEMA), holds_rows


def tables(connection: Connection) -> list[str]:
    """The database's own tables, not the models' (a test may have changed either)."""
    return list(connection.scalars(TABLES))


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    """A connection in a transaction that commits at the end; its engine disposed after."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def truncate(connection: Connection) -> None:
    quote = connection.dialect.identifier_preparer.quote
    if names := ", ".join(quote(name) for name in tables(connection)):
        connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
