"""Alembic driven from code: `serve`, `migrate`, `makemigration`, the Alembic CLI and the tests
share it."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.operations.ops import MigrationScript
from alembic.runtime.migration import MigrationContext
from alembic.script import Script
from sqlalchemy import Connection

from .. import models  # noqa: F401  (registers every table on Base.metadata)
from ..settings import PACKAGE, Settings
from .base import Base
from .dialect import MIGRATION_OPTIONS, create_db_engine, migration_transaction, scratch_database

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
def alembic_config(
    settings: Settings, script_location: str = SCRIPT_LOCATION, toml_file: Path | None = None
) -> Iterator[Config]:
    """An Alembic config bound to one connection of the configured database."""
    with _connection(settings) as connection:
        config = Config(toml_file=toml_file)
        config.set_main_option("script_location", script_location)
        config.attributes["connection"] = connection
        yield config


def upgrade(settings: Settings, revision: str = "head") -> None:
    with alembic_config(settings) as config:
        command.upgrade(config, revision)


def make_migration(settings: Settings, message: str) -> Path | None:
    """Autogenerate a revision from what the models have and the migrations do not build.

    It compares against a scratch database built from the migrations, never the configured
    one, so it works on a fresh checkout and whatever state the developer's data is in.
    None when there is nothing to migrate.
    """
    # Run from the project's root, its [tool.alembic] names the file and formats it.
    pyproject = Path("pyproject.toml")
    with scratch_database(settings) as scratch:
        upgrade(scratch)
        with alembic_config(scratch, toml_file=pyproject if pyproject.exists() else None) as config:
            config.attributes["skip_empty"] = True
            written = command.revision(config, message=message, autogenerate=True)
    return Path(written.path) if isinstance(written, Script) else None


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
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        process_revision_directives=_skip_if_empty,
        **MIGRATION_OPTIONS,
    )
    with migration_transaction(connection, context.begin_transaction):
        context.run_migrations()


def _skip_if_empty(_: MigrationContext, __: Any, directives: list[MigrationScript]) -> None:
    """For make_migration: write no revision when the models and the migrations agree."""
    empty = all(not script.upgrade_ops or script.upgrade_ops.is_empty() for script in directives)
    if empty and context.config.attributes.get("skip_empty"):
        directives.clear()
