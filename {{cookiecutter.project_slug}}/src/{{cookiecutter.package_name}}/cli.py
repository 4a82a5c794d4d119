"""Command line: `serve`, `migrate`, `downgrade`, `makemigration`, `seed`, `backup`,
`restore`."""

import argparse
import logging.config
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import uvicorn
from alembic.script.revision import ResolutionError, RevisionError
from alembic.util import CommandError
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .backups import Refused, backup, restore
from .db.dialect import create_db_engine
from .db.migrate import (
    MigrationRefused,
    downgrade,
    make_migration,
    migration_scripts,
    problems,
    upgrade,
)
from .db.seed import seed
from .errors import driver_message
from .limits import TimedProtocol
from .logs import config as logging_config
from .settings import PACKAGE, Settings

# asyncio's own event loop, not uvloop (uvicorn's choice when it is installed): in a process
# the load keeps busy, uvloop answered some connections seconds late while it served others,
# for no more throughput. The tests' server too.
EVENT_LOOP: Final = "asyncio"


def seed_database(settings: Settings) -> None:
    engine = create_db_engine(settings)
    try:
        with Session(engine) as session, session.begin():
            seed(session)
    finally:
        engine.dispose()


def serve(settings: Settings) -> None:
    if settings.migrate_on_start:
        upgrade(settings)
    if settings.seed_on_start:
        seed_database(settings)
    uvicorn.run(
        f"{PACKAGE}.app:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=logging_config(settings),
        access_log=False,  # the app logs each request itself, with its id (middleware.py)
        loop=EVENT_LOOP,
        http=TimedProtocol,
        ws="none",  # no WebSocket route: "auto" when you add one
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser(
        "serve", help="migrate and seed (see MIGRATE_ON_START, SEED_ON_START), then serve HTTP"
    )
    serve_parser.add_argument("--host", type=non_empty, help="interface to bind (default: HOST)")
    serve_parser.add_argument(
        "--port",
        type=whole_number(0, 65535),
        help="port to bind, 0 for any free one (default: PORT)",
    )
    serve_parser.add_argument(
        "--workers", type=whole_number(1), help="worker processes (default: WORKERS)"
    )
    migrate_parser = commands.add_parser("migrate", help="upgrade the database schema")
    migrate_parser.add_argument("revision", nargs="?", default="head")
    downgrade_parser = commands.add_parser(
        "downgrade",
        help="undo the revisions after REVISION (base: all); their downgrade() drops what "
        "they added, with its data",
    )
    downgrade_parser.add_argument("revision")
    makemigration_parser = commands.add_parser(
        "makemigration",
        help="write a revision for what the models have and the migrations lack",
    )
    makemigration_parser.add_argument(
        "message", nargs="?", default="", help='what it does, e.g. "add invoices"'
    )
    makemigration_parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail if a revision is missing or one loses data with no reason given",
    )
    makemigration_parser.add_argument(
        "--allow-data-loss",
        action="store_true",
        help="write a revision that loses data, each such operation marked for you to say why",
    )
    commands.add_parser("seed", help="insert missing reference rows (idempotent)")
    backup_parser = commands.add_parser(
        "backup", help="copy the database into the new file PATH, while the service runs"
    )
    backup_parser.add_argument("path", type=Path)
    restore_parser = commands.add_parser(
        "restore",
        help="check the backup PATH, replace the database with it, and migrate it",
    )
    restore_parser.add_argument("path", type=Path)
    restore_parser.add_argument(
        "--force", action="store_true", help="replace a database that has rows"
    )
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as error:
        sys.exit(f"{args.command}: " + "; ".join(map(_described, error.errors())))
    logging.config.dictConfig(logging_config(settings))
    try:
        run(args, settings, parser)
    except (MigrationRefused, Refused) as error:
        sys.exit(f"{args.command}: {error}")
    except CommandError as error:  # Alembic's: a revision it cannot find, for one
        sys.exit(f"{args.command}: {error}{_known_revisions(error)}")
    except RevisionError as error:  # the database's is one the migrations do not have
        sys.exit(f"{args.command}: {error} (a newer release's?){_known_revisions(error)}")
    except DBAPIError as error:  # the database, not the command, failed
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        sys.exit(f"{args.command}: {driver_message(error)} (DATABASE_URL={url})")


def non_empty(text: str) -> str:
    """An argument type: text, not nothing (an empty host binds every interface)."""
    if not text:
        raise argparse.ArgumentTypeError("is empty")
    return text


def whole_number(least: int, most: int | None = None) -> Callable[[str], int]:
    """An argument type: a whole number from `least` to `most`."""

    def parsed(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if number < least or (most is not None and number > most):
            bounds = f"from {least} to {most}" if most is not None else f"at least {least}"
            raise argparse.ArgumentTypeError(f"{number} is out of range: {bounds}")
        return number

    return parsed


def _known_revisions(error: Exception) -> str:
    """For a revision Alembic cannot find, the ones it has, oldest first."""
    unresolved = error if isinstance(error, ResolutionError) else error.__cause__
    if not isinstance(unresolved, ResolutionError):  # Alembic's CommandError wraps it
        return ""
    revisions = [script.revision for script in migration_scripts().walk_revisions()]
    return f"; the revisions: {', '.join(reversed(revisions))}"


def _described(error: ErrorDetails) -> str:
    """A setting pydantic refused, as the environment variable that sets it (with the value
    given, but for a URL, which may hold a password)."""
    name = "_".join(map(str, error["loc"])).upper()
    given = "" if name.endswith("_URL") else f"={error['input']!r}"
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
    else:
        seed_database(settings)
