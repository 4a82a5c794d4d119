"""Alembic driven from code: `serve`, `migrate`, the Alembic CLI and the tests share it."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection

from .. import models  # noqa: F401  (registers every table on Base.metadata)
from ..settings import PACKAGE, Settings
from .base import Base
from .engine import MIGRATION_OPTIONS, create_db_engine, migration_transaction

SCRIPT_LOCATION = f"{PACKAGE}:migrations"


@contextmanager
def _connection(settings: Settings) -> Iterator[Connection]:
    """One connection on an engine of its own, disposed afterwards."""
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextmanager
def alembic_config(settings: Settings, script_location: str = SCRIPT_LOCATION) -> Iterator[Config]:
    """An Alembic config bound to one connection of the configured database."""
    with _connection(settings) as connection:
        config = Config()
        config.set_main_option("script_location", script_location)
        config.attributes["connection"] = connection
        yield config


def upgrade(settings: Settings, revision: str = "head") -> None:
    with alembic_config(settings) as config:
        command.upgrade(config, revision)


def run_migrations() -> None:
    """The body of migrations/env.py."""
    if context.is_offline_mode():
        context.configure(
            url=Settings().database_url,
            target_metadata=Base.metadata,
            literal_binds=True,
            **MIGRATION_OPTIONS,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run_online(connection)
        return
    with _connection(Settings()) as connection:  # the Alembic command line
        _run_online(connection)


def _run_online(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, **MIGRATION_OPTIONS)
    with migration_transaction(connection, context.begin_transaction):
        context.run_migrations()
