"""Migrations build exactly the models' schema, and undo it."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.db.migrate import alembic_config
from {{ cookiecutter.package_name }}.settings import Settings


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


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
        try:
            command.downgrade(config, "base")
        except Exception as exc:  # any failure is the finding
            pytest.fail(f"downgrade to base failed: {str(exc).splitlines()[0]}")
    assert table_names(fresh_engine) == {"alembic_version"}, (
        f"downgrade to base left tables: {table_names(fresh_engine) - {'alembic_version'}}"
    )
    with alembic_config(settings) as config:
        command.upgrade(config, "head")
    assert table_names(fresh_engine) == set(Base.metadata.tables) | {"alembic_version"}
