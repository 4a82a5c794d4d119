"""Migrations build exactly the models' schema and undo it; undoing a revision and running it
again keeps the rows; a failed upgrade, or one that waits for a lock, changes nothing; an
upgrade to an older revision is refused, not ignored."""

import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Engine, Index, Table, insert, inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.maintenance.migrate import (
    MigrationRefused,
    downgrade,
    migration_scripts,
    upgrade,
)
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import one_of_every_row
from tests.migrations import changed, contents, exit_message, migrations_plus, tables

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


# The first reference of the schema, as (table, column): a revision breaks it on every row.
REFERENCE = next(
    (fk.parent.table.name, fk.parent.name)
    for table in Base.metadata.sorted_tables
    for fk in table.foreign_keys
)
FAILING_UPGRADES = {
    "a revision that breaks a foreign key": [
        'op.execute(\'UPDATE "{}" SET "{}" = -1\')'.format(*REFERENCE)
    ],
    "a good revision, then one that fails halfway": [
        'op.create_table("added", sa.Column("id", sa.Integer, primary_key=True))',
        """
        op.add_column("added", sa.Column("note", sa.Text))
        raise RuntimeError("the revision failed halfway")
        """,
    ],
}


@pytest.mark.parametrize("upgrades", FAILING_UPGRADES.values(), ids=FAILING_UPGRADES)
def test_a_failed_upgrade_changes_nothing(
    settings: Settings,
    arrange: sessionmaker[Session],
    fresh_engine: Engine,
    tmp_path: Path,
    upgrades: list[str],
) -> None:
    with arrange.begin() as session:
        one_of_every_row(session)
    before = contents(fresh_engine)
    try:
        upgrade(settings, "head", migrations_plus(tmp_path, *upgrades))
    except Exception as error:  # which one, the assertion below checks
        failure: Exception | None = error
    else:
        failure = None
    assert isinstance(failure, RuntimeError | IntegrityError), (
        "an upgrade whose revision breaks a foreign key, or raises halfway, did not fail as it "
        f"must ({failure!r}): the migration must check the foreign keys before it commits "
        "(migration_transaction in db/dialect/migrations.py)"
    )
    after = contents(fresh_engine)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    assert not changed, (
        f"a failed upgrade left {changed} changed: every revision of an upgrade must run in "
        "one transaction that its failure rolls back; Alembic commits each revision where it "
        "takes the DDL for not transactional (MIGRATION_OPTIONS in db/dialect/migrations.py)"
    )


def test_each_revision_undone_and_run_again_keeps_the_rows(
    settings: Settings, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        one_of_every_row(session)
    for script in migration_scripts().walk_revisions():  # the head first
        before = tables(fresh_engine)
        downgrade(settings, str(script.down_revision or "base"))
        older = tables(fresh_engine)  # the tables of the schema before the revision
        upgrade(settings, script.revision)
        after = tables(fresh_engine)
        lost = changed(before, after, older)
        assert not lost, (
            f"undoing revision {script.revision} ({script.path}) and running it again changed "
            f"the rows of {lost}: its downgrade() must keep what the schema before it holds"
        )
        downgrade(settings, str(script.down_revision or "base"))


def test_migrate_refuses_a_revision_behind_the_database(
    settings: Settings, fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    before = contents(fresh_engine)
    said = exit_message("migrate", "base")
    assert "migrate only upgrades" in str(said), (
        "`migrate base` on a migrated database must be refused in one line, not do nothing "
        f"and exit 0 (_refuse_going_back in maintenance/environment.py); it said {said!r}"
    )
    assert contents(fresh_engine) == before
    assert exit_message("downgrade", "base") is None
    assert table_names(fresh_engine) == {"alembic_version"}


def test_a_migration_behind_a_lock_fails_in_time_and_changes_nothing(
    settings: Settings, fresh_engine: Engine, tmp_path: Path
) -> None:
    waits = settings.model_copy(
        update={"migration_lock_timeout_ms": 200, "database_timeout_ms": 5000}
    )
    location = migrations_plus(tmp_path, 'op.add_column("tags", sa.Column("note", sa.Text()))')
    tags = Base.metadata.tables["tags"]
    with fresh_engine.connect() as other:  # a write transaction another connection holds
        other.execute(insert(tags).values(name="held"))
        before = contents(fresh_engine)
        started = time.monotonic()
        with pytest.raises(MigrationRefused, match="MIGRATION_LOCK_TIMEOUT_MS"):
            upgrade(waits, "head", location)
        waited = time.monotonic() - started
        other.rollback()
    assert waited < 2.5, (
        f"a migration waited {waited:.1f} s for a lock, with MIGRATION_LOCK_TIMEOUT_MS at "
        "0.2 s: its connection must wait no longer (migration_transaction in "
        "db/dialect/migrations.py), or every request queues behind the lock it waits to take"
    )
    assert contents(fresh_engine) == before
