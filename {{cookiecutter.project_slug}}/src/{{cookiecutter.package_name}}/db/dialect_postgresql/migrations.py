"""Migrations on PostgreSQL: bounded waits for the migration's connection, and scratch databases
for makemigration."""

import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    create_engine,
    make_url,
)
from sqlalchemy.dialects.postgresql import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from ...settings import Settings
from .connections import lock_wait

MIGRATION_OPTIONS: dict[str, Any] = {}


@contextmanager
def migration_transaction(
    connection: Connection, begin: Callable[[], AbstractContextManager[object]], settings: Settings
) -> Iterator[None]:
    """The migration transaction `begin` starts: on PostgreSQL one transaction, foreign keys
    enforced, its lock waits and statements bounded by the migration's timeouts."""
    connection.execution_options(**lock_wait(settings.migration_lock_timeout_ms / 1000))
    with begin():
        timeout = settings.migration_statement_timeout_ms
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {timeout:d}")
        yield


def migration_timeout(error: OperationalError) -> str | None:
    """The setting whose limit a migration's statement met: its lock_timeout passed
    (lock_not_available), or its statement_timeout (query_canceled)."""
    codes = {"55P03": "MIGRATION_LOCK_TIMEOUT_MS", "57014": "MIGRATION_STATEMENT_TIMEOUT_MS"}
    return codes.get(getattr(error.orig, "sqlstate", None) or "")


@contextmanager
def scratch_database(settings: Settings) -> Iterator[Settings]:
    """The settings with an empty database of their own on the same server, dropped
    afterwards. The user needs the CREATEDB privilege."""
    url = make_url(settings.database_url)
    name = f"{url.database or 'service'}_scratch_{secrets.token_hex(4)}"
    # The maintenance database: the configured one need not exist yet.
    server = create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            scratch = url.set(database=name).render_as_string(hide_password=False)
            yield settings.model_copy(update={"database_url": scratch})
        finally:
            with server.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        server.dispose()
