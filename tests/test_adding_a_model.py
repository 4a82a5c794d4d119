"""Adding a model as the generated README says works on a fresh render: the project's own
command makes the migration, and the project's own suite passes with the model in it."""

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.rendering import answers_of, environment, run
from tests.suite import failures, project_copy, run_suite
from tests.variants import Variant, params

NEW_MODEL = Path(__file__).parent / "new_model"
# What the README's steps change in existing files: (file in the package, old, new).
REGISTRATIONS = [
    (
        "models/__init__.py",
        "from .project import",
        "from .comment import Comment\nfrom .project import",
    ),
    ("models/__init__.py", '__all__ = ["', '__all__ = ["Comment", "'),
    (
        "schemas/__init__.py",
        "from .common import",
        "from .comment import CommentCreate, CommentRead, CommentUpdate\nfrom .common import",
    ),
    (
        "schemas/__init__.py",
        '    "INTEGER_MAX",\n',
        '    "INTEGER_MAX",\n    "CommentCreate",\n    "CommentRead",\n    "CommentUpdate",\n',
    ),
    ("api/__init__.py", "from . import health", "from . import comments, health"),
    ("api/__init__.py", "for module in (health", "for module in (comments, health"),
]


def add_the_model(project: Path, package: str) -> None:
    source = project / "src" / package
    shutil.copytree(NEW_MODEL / "src", source, dirs_exist_ok=True)
    for test in (NEW_MODEL / "tests").glob("*.py"):
        (project / "tests" / test.name).write_text(test.read_text().replace("PACKAGE", package))
    for name, old, new in REGISTRATIONS:
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
    package = answers_of(project)["package_name"]
    add_the_model(project, package)
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

    run([variant.bin("mypy")], project, **env)  # strict, as the project's pre-commit runs it
    result, report = run_suite(variant, project, fuzz=True)
    assert result.returncode == 0, (
        f"the suite failed with the new model: {sorted(failures(report))}\n"
        + (result.stdout + result.stderr)[-3000:]
    )
