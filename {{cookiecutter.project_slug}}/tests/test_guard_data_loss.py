"""A revision that can lose data is not written by makemigration, and fails
`makemigration --check` (so CI) unless a comment right above each such operation says why;
hand-written revisions are held to it too."""

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.maintenance import migrate
from {{ cookiecutter.package_name }}.maintenance.data_loss import MARK, Finding
from {{ cookiecutter.package_name }}.maintenance.revisions import (
    MISSING_MIGRATION,
    data_losses,
)
from {{ cookiecutter.package_name }}.settings import Settings

from tests.migrations import ADDED, exit_message, migrations_plus

# An upgrade body, and what the gate must say of it.
LOSING = {
    "drop a table": ('op.drop_table("task_tags")', "drops table task_tags with every row"),
    "drop a column": ('op.drop_column("tasks", "done")', "drops column tasks.done with every"),
    "rename as drop and add": (
        """
        op.add_column("tasks", sa.Column("heading", sa.String(200)))
        op.drop_column("tasks", "title")
        """,
        'op.alter_column("tasks", "title", new_column_name="heading")',
    ),
    "rename as drop and add, in a batch": (
        """
        with op.batch_alter_table("tasks") as batch_op:
            batch_op.drop_column("title")
            batch_op.add_column(sa.Column("heading", sa.String(200)))
        """,
        'batch_op.alter_column("title", new_column_name="heading")',
    ),
    "narrow a type": (
        'op.alter_column("tasks", "title", type_=sa.String(50), existing_type=sa.String(200))',
        "changes tasks.title from VARCHAR(200) to VARCHAR(50)",
    ),
    "change a type to another kind": (
        'op.alter_column("tasks", "title", type_=sa.Integer(), existing_type=sa.String(200))',
        "changes tasks.title from VARCHAR(200) to INTEGER",
    ),
    "change a type, the old one unsaid": (
        'op.alter_column("tasks", "title", type_=sa.String(300))',
        "changes the type of tasks.title without existing_type",
    ),
    "make a column NOT NULL": (
        'op.alter_column("tasks", "assignee_id", existing_type=sa.Integer(), nullable=False)',
        "makes tasks.assignee_id NOT NULL with no server default and no backfill",
    ),
    "add a NOT NULL column": (
        'op.add_column("tasks", sa.Column("rank", sa.Integer(), nullable=False))',
        "adds tasks.rank NOT NULL with no server default",
    ),
    "delete rows in SQL": ('op.execute("DELETE FROM tags")', "'DELETE FROM tags', which removes"),
    "drop a unique constraint": (
        'op.drop_constraint("uq_tags_name", "tags", type_="unique")',
        "drops unique constraint uq_tags_name of tags",
    ),
}
KEEPING = {
    "widen a type": 'op.alter_column("tasks", "title", type_=sa.String(300), '
    "existing_type=sa.String(200))",
    "add a nullable column": 'op.add_column("tasks", sa.Column("note", sa.Text()))',
    "add a NOT NULL column with a default": 'op.add_column("tasks", sa.Column("rank", '
    'sa.Integer(), nullable=False, server_default="0"))',
    "make a column NOT NULL after a backfill": """
        op.execute("UPDATE tasks SET assignee_id = 1 WHERE assignee_id IS NULL")
        op.alter_column("tasks", "assignee_id", existing_type=sa.Integer(), nullable=False)
        """,
    "rename a column": 'op.alter_column("tasks", "title", new_column_name="heading")',
    "drop a foreign key": 'op.drop_constraint("fk_tasks_assignee_id_users", "tasks", '
    'type_="foreignkey")',
    "update rows in SQL": 'op.execute("UPDATE tags SET name = lower(name)")',
}


def added_losses(folder: Path, *upgrades: str) -> list[Finding]:
    """What the gate finds in revisions with these upgrade bodies, added after the project's."""
    losses = data_losses(migrations_plus(folder, *upgrades))
    return [loss for loss in losses if loss.path.name.startswith(ADDED)]


def test_no_revision_loses_data_with_no_reason_given() -> None:
    listed = "\n".join(map(str, data_losses()))
    assert not listed, (
        f"revisions lose data with no reason given (maintenance/data_loss.py):\n{listed}"
    )


@pytest.mark.parametrize(("upgrade", "said"), LOSING.values(), ids=LOSING)
def test_the_gate_says_what_an_operation_loses_and_what_to_write(
    tmp_path: Path, upgrade: str, said: str
) -> None:
    losses = added_losses(tmp_path, upgrade)
    assert [loss.path.name for loss in losses] == ["added_1.py"], (
        f"the gate (maintenance/data_loss.py) did not find the one operation of {upgrade!r} that "
        f"loses data: it found {[str(loss) for loss in losses]}"
    )
    assert said in str(losses[0]), f"the gate says {losses[0]}, not {said!r}"


@pytest.mark.parametrize("upgrade", KEEPING.values(), ids=KEEPING)
def test_the_gate_passes_what_keeps_the_data(tmp_path: Path, upgrade: str) -> None:
    losses = added_losses(tmp_path, upgrade)
    assert not losses, (
        f"the gate (maintenance/data_loss.py) took a change that keeps the data: {losses}"
    )


def test_a_reason_accounts_for_an_operation_and_a_bare_mark_does_not(tmp_path: Path) -> None:
    reasoned = f'{MARK} written by hand; the table holds nothing\nop.drop_table("task_tags")'
    bare = f'{MARK}\nop.drop_column("tasks", "done")'
    losses = added_losses(tmp_path, reasoned, bare)
    assert [loss.path.name for loss in losses] == ["added_2.py"], (
        "a mark with a reason accounts for the operation below it, and one without does not "
        f"(maintenance/data_loss.py): found {[str(loss) for loss in losses]}"
    )
    assert "marked" in str(losses[0]), str(losses[0])
    assert "no reason" in str(losses[0]), str(losses[0])


def check(settings: Settings, monkeypatch: pytest.MonkeyPatch, location: str) -> str | None:
    """What `makemigration --check`, the command CI runs, says of the migrations at
    `location`; None when it passes."""
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", location)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return exit_message("makemigration", "--check")


def test_the_ci_check_fails_on_a_missing_migration_and_on_data_loss(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The models lack the table, and a revision drops a column they have.
    changed = migrations_plus(
        tmp_path,
        'op.create_table("legacy", sa.Column("id", sa.Integer(), primary_key=True))',
        'op.drop_column("tasks", "done")',
    )
    said = check(settings, monkeypatch, changed)
    for expected in (MISSING_MIGRATION, "added_2.py:11: drops column tasks.done"):
        assert expected in str(said), (
            f"`makemigration --check` must fail with {expected!r} (cli/commands.py, "
            f"maintenance/revisions.py problems()); it said {said!r}"
        )


def test_makemigration_writes_no_revision_that_loses_data(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    location = migrations_plus(
        tmp_path, 'op.create_table("legacy", sa.Column("id", sa.Integer(), primary_key=True))'
    )
    monkeypatch.setattr(migrate, "SCRIPT_LOCATION", location)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    versions = Path(location) / "versions"
    before = set(versions.glob("*.py"))
    said = exit_message("makemigration", "drop legacy")  # the models have no table "legacy"
    written = set(versions.glob("*.py")) - before
    assert not written, (
        "makemigration must refuse to write a revision that drops a table "
        f"(maintenance/revisions.py make_migration); it wrote {sorted(map(str, written))}"
    )
    assert "drops table legacy" in str(said), said

    assert exit_message("makemigration", "drop legacy", "--allow-data-loss") is None
    (revision,) = set(versions.glob("*.py")) - before
    marked = [str(loss) for loss in data_losses(location) if loss.path == revision]
    assert marked, f"--allow-data-loss wrote {revision.name} with nothing to give a reason for"
    assert all("no reason" in loss for loss in marked), (
        f"--allow-data-loss marks each operation for a reason to be given: {marked}"
    )
