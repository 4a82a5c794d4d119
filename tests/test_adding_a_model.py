"""Adding a model as the generated README says works on a fresh render: the project's own
command makes the migration, and the project's own suite passes with the model in it. Renaming
one of its columns then meets the data-loss gate, which says what to write instead; the
revision written so keeps the column's values."""

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.rendering import answers_of, attempt, environment, run
from tests.suite import failures, project_copy, run_suite
from tests.variants import Variant, empty_database, params

NEW_MODEL = Path(__file__).parent / "new_model"
# What the README's steps change in existing files: (file in the package, old, new).
REGISTRATIONS = [
    (
        "models/__init__.py",
        "from .project import",
        "from .comment import Comment\nfrom .project import",
    ),
    ("models/__init__.py", '    "Project",\n', '    "Comment",\n    "Project",\n'),
    (
        "schemas/__init__.py",
        "from .common import",
        "from .comment import CommentCreate, CommentRead, CommentUpdate\nfrom .common import",
    ),
    (
        "schemas/__init__.py",
        '    "Id",\n',
        '    "CommentCreate",\n    "CommentRead",\n    "CommentUpdate",\n    "Id",\n',
    ),
    ("api/__init__.py", "health, projects", "comments, health, projects"),
    ("api/__init__.py", "        health,\n", "        comments,\n        health,\n"),
]
# With accounts (auth), its router declares who may call its routes (the README's step 3).
DECLARATIONS = [
    ("api/comments.py", "from ..errors", "from ..auth.access import PUBLIC\nfrom ..errors"),
    ("api/comments.py", 'tags=["comments"])', 'tags=["comments"], dependencies=[PUBLIC])'),
]


def add_the_model(project: Path, package: str, auth: bool) -> None:
    source = project / "src" / package
    shutil.copytree(NEW_MODEL / "src", source, dirs_exist_ok=True)
    for test in (NEW_MODEL / "tests").glob("*.py"):
        (project / "tests" / test.name).write_text(test.read_text().replace("PACKAGE", package))
    for name, old, new in REGISTRATIONS + (DECLARATIONS if auth else []):
        path = source / name
        text = path.read_text()
        assert old in text, f"{name} no longer has {old!r}: update REGISTRATIONS"
        path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("variant_name", params(["sqlite", "postgresql-docker"]))
def test_a_model_added_as_the_readme_says_passes_the_suite(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    variant = prepared(variant_name)
    project = project_copy(variant, tmp_path)
    answers = answers_of(project)
    package = answers["package_name"]
    add_the_model(project, package, answers.get("auth") == "password")
    env = environment(**variant.env, PYTHONPATH=str(project / "src"))
    make = [variant.bin("python"), "-m", package, "makemigration", "add comments"]
    versions = project / "src" / package / "migrations" / "versions"
    before = set(versions.glob("*.py"))

    assert "wrote" in run(make, project, **env)
    (revision,) = set(versions.glob("*.py")) - before
    text = revision.read_text()
    assert re.search(r'create_table\(\s*"comments"', text), text
    assert 'ondelete="CASCADE"' in text, text
    assert "no changes" in run(make, project, **env), "a second makemigration wrote a revision"
    rename_a_column(variant, project, package, env | {"DATABASE_URL": database_for(variant)})

    # Strict, as the project's pre-commit runs it, with the variant's own cache: mypy takes a
    # module's entry from wherever it was checked when its text is the same.
    cache = str(variant.project / ".mypy_cache")
    run([variant.bin("mypy"), "--cache-dir", cache], project, **env)
    result, report = run_suite(variant, project, fuzz=True)
    assert result.returncode == 0, (
        f"the suite failed with the new model: {sorted(failures(report))}\n"
        + (result.stdout + result.stderr)[-3000:]
    )


# The comment's body, stored in a column renamed from "body" to "text".
STORED, RENAMED = (
    "body: Mapped[str] = mapped_column(String(2000))",
    'body: Mapped[str] = mapped_column("text", String(2000))',
)
ROWS = [
    "INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'A')",
    "INSERT INTO projects (id, name, owner_id) VALUES (1, 'P', 1)",
    "INSERT INTO tasks (id, title, done, project_id) VALUES (1, 'T', false, 1)",
    "INSERT INTO comments (id, body, task_id) VALUES (1, 'kept through the rename', 1)",
]


def database_for(variant: Variant) -> str:
    if "TEST_POSTGRES_URL" in variant.env:
        return empty_database(variant.env["TEST_POSTGRES_URL"], "renaming")
    return f"sqlite:///{variant.project.parent / 'renaming.db'}"


def rename_a_column(variant: Variant, project: Path, package: str, env: dict[str, str]) -> None:
    command = [variant.bin("python"), "-m", package]
    run([*command, "migrate"], project, **env)
    engine = create_engine(env["DATABASE_URL"])
    with engine.begin() as connection:
        for row in ROWS:
            connection.exec_driver_sql(row)
    model = project / "src" / package / "models" / "comment.py"
    assert STORED in model.read_text(), f"{model} no longer has {STORED!r}: update STORED"
    model.write_text(model.read_text().replace(STORED, RENAMED))

    make = [*command, "makemigration", "rename comments.body"]
    refused = attempt(make, project, **env)
    said = refused.stdout + refused.stderr
    recipe = re.search(r"write the rename as (.+?), which keeps them", said)
    assert refused.returncode != 0, f"makemigration wrote autogenerate's drop and add:\n{said}"
    assert recipe, f"the gate did not say how to write the rename:\n{said}"
    assert "drops column comments.body and adds comments.text" in said, said

    versions = project / "src" / package / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    run([*make, "--allow-data-loss"], project, **env)
    (revision,) = set(versions.glob("*.py")) - before
    check = attempt([*command, "makemigration", "--check"], project, **env)
    assert check.returncode != 0, "a revision with empty marks passed makemigration --check"
    assert "no reason" in check.stdout + check.stderr, check.stdout + check.stderr

    revision.write_text(rewritten(revision.read_text(), recipe.group(1)))
    for fix in (["check", "--fix"], ["format"]):
        run([variant.bin("ruff"), *fix, str(revision)], project)
    run([*command, "makemigration", "--check"], project, **env)
    run([*command, "migrate"], project, **env)
    with engine.connect() as connection:
        kept = connection.exec_driver_sql("SELECT text FROM comments").scalars().all()
    engine.dispose()
    assert kept == ["kept through the rename"], f"the rename kept {kept} of the column"


def rewritten(revision: str, rename: str) -> str:
    """The revision with the rename the gate said to write, and its reverse as downgrade."""
    back = rename.replace('"body"', '"@"').replace('"text"', '"body"').replace('"@"', '"text"')
    steps = []
    for step in (rename, back):
        batch = 'with op.batch_alter_table("comments") as batch_op:\n        '
        steps.append(batch + step if step.startswith("batch_op.") else step)
    head = revision[: revision.index("def upgrade()")]
    return (
        f"{head}def upgrade() -> None:\n    {steps[0]}\n\n\n"
        f"def downgrade() -> None:\n    {steps[1]}\n"
    )
