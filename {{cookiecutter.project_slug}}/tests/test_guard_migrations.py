"""Migrations build the models' schema, undo it, and never delete rows on SQLite."""

import shutil
from importlib.resources import as_file, files
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.db.migrate import alembic_config
from {{ cookiecutter.package_name }}.settings import PACKAGE, Settings

from tests.factories import sample_graph

PROBE_REVISION = '''
"""Recreate every table other tables point at, as a batch migration on SQLite does."""
from alembic import op

revision = "batch_probe"
down_revision = {head!r}


def upgrade() -> None:
    for table in {parents!r}:
        with op.batch_alter_table(table, recreate="always"):
            pass


def downgrade() -> None:
    pass
'''


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def test_migrations_match_the_models(settings: Settings, fresh_engine: Engine) -> None:
    with fresh_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert not diff, (
        "the migrations do not build the models' schema; create a revision with "
        "`alembic revision --autogenerate -m ...` and review it. Differences:\n"
        + "\n".join(map(str, diff))
    )


def test_downgrade_to_base_then_upgrade_again(settings: Settings, fresh_engine: Engine) -> None:
    with alembic_config(settings) as config:
        command.downgrade(config, "base")
    assert table_names(fresh_engine) == {"alembic_version"}, (
        f"downgrade to base left tables: {table_names(fresh_engine) - {'alembic_version'}}"
    )
    with alembic_config(settings) as config:
        command.upgrade(config, "head")
    assert table_names(fresh_engine) == set(Base.metadata.tables) | {"alembic_version"}


def test_batch_migration_keeps_child_rows(
    settings: Settings, fresh_engine: Engine, tmp_path: Path
) -> None:
    with TestClient(create_app(settings)) as client:
        sample_graph(client)
    before = row_counts(fresh_engine)

    scripts = tmp_path / "migrations"
    with as_file(files(PACKAGE) / "migrations") as source:
        shutil.copytree(source, scripts)
    with alembic_config(settings, str(scripts)) as config:
        head = ScriptDirectory.from_config(config).get_current_head()
    parents = sorted(
        {fk.column.table.name for t in Base.metadata.tables.values() for fk in t.foreign_keys}
    )
    (scripts / "versions" / "batch_probe.py").write_text(
        PROBE_REVISION.format(head=head, parents=parents)
    )
    with alembic_config(settings, str(scripts)) as config:
        command.upgrade(config, "head")

    after = row_counts(fresh_engine)
    lost = {
        table: f"{before[table]} -> {after[table]}"
        for table in before
        if after[table] != before[table]
    }
    assert not lost, (
        f"a batch migration recreating {parents} changed row counts {lost}: the migration "
        "environment must turn foreign keys off before its transaction "
        "(db/engine.py foreign_keys_off)"
    )
