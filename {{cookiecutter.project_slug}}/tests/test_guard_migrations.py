"""Migrations build exactly the models' schema, and undo it."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, Index, Table, inspect
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.db.migrate import downgrade, upgrade
from {{ cookiecutter.package_name }}.settings import Settings

MAKE_MIGRATION = "uv run {{ cookiecutter.project_slug }} makemigration"


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def described(difference: Any) -> str:
    """An autogenerate difference in words, e.g. "add_column tasks.due"."""
    if isinstance(difference, list):  # a column's modify_* differences come as a list
        return "; ".join(map(described, difference))
    kind, *things = difference
    return " ".join([kind, *(named(thing) for thing in things if thing is not None)])


def named(thing: Any) -> str:
    if isinstance(thing, Table):
        return thing.name
    if isinstance(thing, Column):
        return f"{thing.table.name}.{thing.name}" if hasattr(thing, "table") else thing.name
    if isinstance(thing, ColumnCollectionConstraint | Index):
        columns = ", ".join(column.name for column in thing.columns)
        return f"{thing.name or type(thing).__name__}({columns})"
    if isinstance(thing, dict):
        return ""
    return str(thing)


def test_migrations_match_the_models(settings: Settings, fresh_engine: Engine) -> None:
    with fresh_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert not diff, (
        f'the migrations do not build the models\' schema. Run `{MAKE_MIGRATION} "what changed"` '
        "and review the revision it writes (while the last revision is unreleased, you may "
        "delete it and make it again). Differences:\n"
        + "\n".join(described(difference) for difference in diff)
    )


def test_downgrade_to_base_then_upgrade_again(settings: Settings, fresh_engine: Engine) -> None:
    try:
        downgrade(settings, "base")
    except Exception as exc:  # any failure is the finding
        pytest.fail(f"downgrade to base failed: {str(exc).splitlines()[0]}")
    assert table_names(fresh_engine) == {"alembic_version"}, (
        f"downgrade to base left tables: {table_names(fresh_engine) - {'alembic_version'}}"
    )
    upgrade(settings, "head")
    assert table_names(fresh_engine) == set(Base.metadata.tables) | {"alembic_version"}
