"""What the command line takes: its commands, their arguments, and the types that check them."""

import argparse
from collections.abc import Callable
from pathlib import Path
{%- if cookiecutter.auth == "password" %}

from ..models.account import ROLES
{%- endif %}


def command_line() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="serve the API; migrate, seed, back up and restore its database"
    )
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
{%- if cookiecutter.auth == "password" %}
    role_parser = commands.add_parser(
        "set-role",
        help="give ROLE to the account that signs in with EMAIL: the first admin signs up, "
        "then is made one with this",
    )
    role_parser.add_argument("email")
    role_parser.add_argument("role", choices=ROLES)
{%- endif %}
    return parser


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
