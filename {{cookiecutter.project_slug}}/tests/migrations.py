"""The project's migrations with revisions a test adds after its head, what the command line
says, and what a database holds, to compare before and after a migration."""

import shutil
import textwrap
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.settings import PACKAGE

ADDED = "added_"  # the name of a revision a test adds, before its number
# A table's column names and its rows.
Rows = tuple[list[str], list[tuple[Any, ...]]]

REVISION = '''"""A revision a test adds."""

import sqlalchemy as sa
from alembic import op

revision = {revision!r}
down_revision = {down_revision!r}


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
'''


def migrations_plus(folder: Path, *upgrades: str) -> str:
    """A copy of the project's migrations in `folder`, plus one revision per upgrade body,
    each after the one before; its script location."""
    scripts = folder / "migrations"
    with as_file(files(PACKAGE) / "migrations") as source:
        shutil.copytree(source, scripts)
    config = Config()
    config.set_main_option("script_location", str(scripts))
    down_revision = ScriptDirectory.from_config(config).get_current_head()
    for number, body in enumerate(upgrades, 1):
        revision = f"{ADDED}{number}"
        text = REVISION.format(
            revision=revision,
            down_revision=down_revision,
            body=textwrap.indent(textwrap.dedent(body).strip(), "    "),
        )
        (scripts / "versions" / f"{revision}.py").write_text(text)
        down_revision = revision
    return str(scripts)


def exit_message(*argv: str) -> str | None:
    """What the command line says when it fails, run in this process; None when it passes."""
    try:
        main(argv)
    except SystemExit as exit:
        return str(exit.code)
    return None


def contents(engine: Engine) -> dict[str, Any]:
    """Every table's columns and rows, the Alembic version included."""
    return {
        name: (columns, sorted(map(repr, rows))) for name, (columns, rows) in tables(engine).items()
    }


def tables(engine: Engine) -> dict[str, Rows]:
    """Every table's column names and rows."""
    found = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            result = connection.exec_driver_sql(f'SELECT * FROM "{name}"')
            found[name] = (list(result.keys()), [tuple(row) for row in result])
    return found


def changed(before: dict[str, Rows], after: dict[str, Rows], schema: dict[str, Rows]) -> list[str]:
    """The tables of `schema` whose rows differ between `before` and `after` (each as
    `tables` gives them) in the columns all three have: a column renamed in between is
    compared under neither name."""
    differ = []
    for name in sorted(schema.keys() & before.keys() & after.keys()):
        shared = [c for c in schema[name][0] if c in before[name][0] and c in after[name][0]]
        if _values(before[name], shared) != _values(after[name], shared):
            differ.append(name)
    return differ


def _values(table: Rows, columns: list[str]) -> list[str]:
    names, rows = table
    positions = [names.index(column) for column in columns]
    return sorted(repr([row[position] for position in positions]) for row in rows)
