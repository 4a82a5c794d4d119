"""Alembic driven from code: `serve`, `migrate`, `makemigration`, the Alembic CLI and the tests
share it."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from ..db.dialect import migration_timeout
from ..db.engines import run_on_connection
from ..settings import PACKAGE, Settings

SCRIPT_LOCATION = f"{PACKAGE}:migrations"
T = TypeVar("T")


class MigrationRefused(RuntimeError):
    """A migration not run, or rolled back, for a reason to tell in one line."""


def config_of(script_location: str | None, toml_file: Path | None = None) -> Config:
    config = Config(toml_file=toml_file)
    config.set_main_option("script_location", script_location or SCRIPT_LOCATION)
    return config


def with_config(
    settings: Settings,
    run: Callable[[Config], T],
    toml_file: Path | None = None,
    script_location: str | None = None,
) -> T:
    """`run(config)` with an Alembic config bound to one connection of the database."""

    def configured(connection: Connection) -> T:
        config = config_of(script_location, toml_file)
        config.attributes.update(connection=connection, settings=settings)
        return run(config)

    return run_on_connection(settings, configured)


def upgrade(settings: Settings, revision: str = "head", script_location: str | None = None) -> None:
    """Upgrade to `revision`; one behind the database's is refused, not silently ignored."""

    def forward(config: Config) -> None:
        config.attributes["upgrade_to"] = revision
        command.upgrade(config, revision)

    try:
        with_config(settings, forward, script_location=script_location)
    except OperationalError as error:
        if (setting := migration_timeout(error)) is None:
            raise
        raise MigrationRefused(
            f"reached {setting} ({getattr(settings, setting.lower())} ms): another "
            "connection held a lock it needed, or a statement ran that long; nothing changed"
        ) from error


def downgrade(settings: Settings, revision: str) -> None:
    with_config(settings, lambda config: command.downgrade(config, revision))


def migration_scripts(script_location: str | None = None) -> ScriptDirectory:
    return ScriptDirectory.from_config(config_of(script_location))
