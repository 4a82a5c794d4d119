"""The body of migrations/env.py: the migrations run in the transaction the dialect asks for,
and never back to a revision behind the database's."""

from functools import partial

from alembic import context
from sqlalchemy import Connection

from .. import models  # noqa: F401  (registers every table on Base.metadata)
from ..db.base import Base
from ..db.dialect import MIGRATION_OPTIONS, migration_transaction
from ..db.engines import run_on_connection
from ..settings import Settings
from .migrate import MigrationRefused


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
        _run_online(connection, context.config.attributes["settings"])
        return
    settings = Settings()  # the Alembic command line
    run_on_connection(settings, partial(_run_online, settings=settings))


def _run_online(connection: Connection, settings: Settings) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, **MIGRATION_OPTIONS)
    with migration_transaction(connection, context.begin_transaction, settings):
        if (target := context.config.attributes.get("upgrade_to")) is not None:
            _refuse_going_back(target)
        context.run_migrations()


def _refuse_going_back(revision: str) -> None:
    """Inside the migration's transaction: an upgrade to a revision behind the database's."""
    current = context.get_context().get_current_heads()
    reached = {script.revision for script in context.script.iterate_revisions(current, "base")}
    targets = {script.revision for script in context.script.get_revisions(revision) if script}
    if current and targets <= reached and targets != set(current):
        raise MigrationRefused(
            f"the database is at {', '.join(current)}, and {revision} is older: migrate only "
            f"upgrades; `downgrade {revision}` goes back (the revisions' downgrade() drops what "
            "they added)"
        )
