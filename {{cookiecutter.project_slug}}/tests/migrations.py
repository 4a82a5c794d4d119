"""The project's migrations with revisions a test adds after its head, and what a database
holds, to compare before and after a migration."""

import shutil
import textwrap
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from {{ cookiecutter.package_name }}.settings import PACKAGE

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
        revision = f"added_{number}"
        text = REVISION.format(
            revision=revision,
            down_revision=down_revision,
            body=textwrap.indent(textwrap.dedent(body).strip(), "    "),
        )
        (scripts / "versions" / f"{revision}.py").write_text(text)
        down_revision = revision
    return str(scripts)


def contents(engine: Engine) -> dict[str, Any]:
    """Every table's columns and rows, the Alembic version included."""
    found: dict[str, Any] = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            columns = [column["name"] for column in inspect(connection).get_columns(name)]
            rows = connection.exec_driver_sql(f'SELECT * FROM "{name}"').all()
            found[name] = (columns, sorted(map(repr, rows)))
    return found
