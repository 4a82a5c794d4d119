"""What each command does, and its failures said in one line."""

import argparse
import logging.config
import sys
from collections.abc import Sequence
from typing import Final

import uvicorn
from alembic.script.revision import ResolutionError, RevisionError
from alembic.util import CommandError
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError

from ..logs import config as logging_config
from ..maintenance.backups import Refused, backup, restore
from ..maintenance.migrate import MigrationRefused, downgrade, migration_scripts, upgrade
from ..maintenance.revisions import make_migration, problems
{%- if cookiecutter.auth == "password" %}
from ..maintenance.roles import NoAccount, set_role
{%- endif %}
from ..maintenance.seed import seed_database
{%- if cookiecutter.observability == "opentelemetry" %}
from ..observability.workers import share_metrics_between_workers
{%- endif %}
from ..settings import PACKAGE, Settings
from ..web.handlers import driver_message
from ..web.limits import TimedProtocol
from .arguments import command_line

# asyncio's own event loop, not uvloop (uvicorn's choice when it is installed): in a process
# the load keeps busy, uvloop answered some connections seconds late while it served others,
# for no more throughput. The tests' server too.
EVENT_LOOP: Final = "asyncio"


def serve(settings: Settings) -> None:
    if settings.migrate_on_start:
        upgrade(settings)
    if settings.seed_on_start:
        seed_database(settings)
{%- if cookiecutter.observability == "opentelemetry" %}
    share_metrics_between_workers()
{%- endif %}
    uvicorn.run(
        f"{PACKAGE}.app:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=logging_config(settings),
        access_log=False,  # the app logs each request itself, with its id (web/middleware.py)
        loop=EVENT_LOOP,
        http=TimedProtocol,
        ws="none",  # no WebSocket route: "auto" when you add one
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = command_line()
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as error:
        sys.exit(f"{args.command}: " + "; ".join(map(_described, error.errors())))
    logging.config.dictConfig(logging_config(settings))
    try:
        run(args, settings, parser)
    except (MigrationRefused, Refused{% if cookiecutter.auth == "password" %}, NoAccount{% endif %}) as error:
        sys.exit(f"{args.command}: {error}")
    except CommandError as error:  # Alembic's: a revision it cannot find, for one
        sys.exit(f"{args.command}: {error}{_known_revisions(error)}")
    except RevisionError as error:  # the database's is one the migrations do not have
        sys.exit(f"{args.command}: {error} (a newer release's?){_known_revisions(error)}")
    except DBAPIError as error:  # the database, not the command, failed
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        sys.exit(f"{args.command}: {driver_message(error)} (DATABASE_URL={url})")


def _known_revisions(error: Exception) -> str:
    """For a revision Alembic cannot find, the ones it has, oldest first."""
    unresolved = error if isinstance(error, ResolutionError) else error.__cause__
    if not isinstance(unresolved, ResolutionError):  # Alembic's CommandError wraps it
        return ""
    revisions = [script.revision for script in migration_scripts().walk_revisions()]
    return f"; the revisions: {', '.join(reversed(revisions))}"


# Settings whose value an error never shows: a URL may hold a password, a key is secret.
SECRETS = ("_URL", "_KEY")


def _described(error: ErrorDetails) -> str:
    """A setting pydantic refused, as the environment variable that sets it (with the value
    given, but for the SECRETS)."""
    name = "_".join(map(str, error["loc"])).upper()
    given = "" if name.endswith(SECRETS) else f"={error['input']!r}"
    return f"{name}{given}: {error['msg'].removeprefix('Value error, ')}"


def run(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> None:
    if args.command == "serve":
        given = {key: getattr(args, key) for key in ("host", "port", "workers")}
        overrides = {key: value for key, value in given.items() if value is not None}
        serve(settings.model_copy(update=overrides))
    elif args.command == "migrate":
        upgrade(settings, args.revision)
    elif args.command == "downgrade":
        downgrade(settings, args.revision)
    elif args.command == "makemigration" and args.check:
        if found := problems(settings):
            sys.exit("\n".join(found))
    elif args.command == "makemigration":
        if not args.message:
            parser.error('makemigration needs a message, e.g. "add invoices"')
        try:
            written = make_migration(settings, args.message, args.allow_data_loss)
        except RuntimeError as error:
            sys.exit(str(error))
        sys.stdout.write(f"wrote {written}; review it\n" if written else "no changes to migrate\n")
    elif args.command == "backup":
        done = backup(settings, args.path, lambda step: sys.stderr.write(f"backup: {step}\n"))
        sys.stdout.write(f"{done}\n")
    elif args.command == "restore":
        sys.stdout.write(f"{restore(settings, args.path, args.force)}\n")
{%- if cookiecutter.auth == "password" %}
    elif args.command == "set-role":
        set_role(settings, args.email, args.role)
        sys.stdout.write(f"{args.email} signs in as {args.role}\n")
{%- endif %}
    else:
        seed_database(settings)
