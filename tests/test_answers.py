"""Bad answers are refused before anything is written, with one line naming the problem."""

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.rendering import render

REFUSED = {
    "package is a dependency": ({"package_name": "sqlalchemy"}, "shadows 'sqlalchemy'"),
    "package is stdlib": ({"package_name": "json"}, "standard-library module 'json'"),
    "package is 'test'": ({"package_name": "test"}, "standard-library module 'test'"),
    "package is a keyword": ({"package_name": "class"}, "Python keyword"),
    "package starts with a digit": ({"package_name": "1service"}, "not a valid Python identifier"),
    "package has a dash": ({"package_name": "my-service"}, "not a valid Python identifier"),
    "package upper case": ({"package_name": "MyService"}, "must be lower case"),
    "slug with a space": ({"project_slug": "my service"}, "project_slug 'my service'"),
    "slug upper case": ({"project_slug": "My-Service"}, "project_slug 'My-Service'"),
    "e-mail without @": ({"author_email": "you.example.com"}, "author_email"),
    "e-mail without domain": ({"author_email": "you@localhost"}, "author_email"),
    "line break in a name": ({"project_name": "Two\nLines"}, "line break"),
    "line separator in a name": ({"project_name": "Two\u2028Lines"}, "line break"),
    "control character in an e-mail": ({"author_email": "you\x01@example.com"}, "author_email"),
    "delete character in an e-mail": ({"author_email": "you@example.com\x7f"}, "author_email"),
    "package is a dependency's dependency": ({"package_name": "mako"}, "shadows 'mako'"),
    "name of a dependency": ({"project_name": "Pydantic Core"}, "is the name of 'pydantic_core'"),
    "name of the PostgreSQL driver": (
        {"project_name": "Psycopg", "database": "postgresql"},
        "is the name of 'psycopg'",
    ),
    "name of no letter": ({"project_name": "!!!"}, "has no letter or digit"),
    "name of emoji": ({"project_name": "\U0001f680\U0001f680"}, "has no letter or digit"),
    "Jinja in a name": ({"project_name": "{{ 7*7 }} svc"}, "holds Jinja markup"),
    "Jinja in a description": ({"description": "{{ ''.__class__ }}"}, "holds Jinja markup"),
    "slug too long": ({"project_slug": "a" * 41}, "longer than 40 characters"),
    "empty description": ({"description": "  "}, "description is empty"),
}


@pytest.mark.parametrize(("answers", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_bad_answer_is_refused_and_nothing_is_written(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    with pytest.raises(FailedHookException):
        render(tmp_path, **answers)
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert any(message in line for line in errors), errors
    assert list(tmp_path.iterdir()) == [], "a refused render left files behind"


NAMES = {
    "Bob's Café API": ("bob-s-cafe-api", "bob_s_cafe_api"),
    'Ünïcode "Quoted" Service': ("unicode-quoted-service", "unicode_quoted_service"),
    "  Runs -- of __ punctuation!? ": ("runs-of-punctuation", "runs_of_punctuation"),
    "O'Brien's Ledger v2.0": ("o-brien-s-ledger-v2-0", "o_brien_s_ledger_v2_0"),
    "Acme \u2013 Billing": ("acme-billing", "acme_billing"),
    "O\u2019Reilly Tasks": ("oreilly-tasks", "oreilly_tasks"),
    "\u0421\u0435\u0440\u0432\u0438\u0441 Tasks": ("servis-tasks", "servis_tasks"),
    "Long " * 60: ("long-" * 7 + "long", "long_" * 7 + "long"),
    # As long as a title that fits its line, and one character more.
    "x" * 92: ("x" * 40, "x" * 40),
    "y" * 93: ("y" * 40, "y" * 40),
    'He said "hi" ' + "and left " * 12: (
        "he-said-hi-and-left-and-left-and-left-an",
        "he_said_hi_and_left_and_left_and_left_an",
    ),
    "Minus \u2212 Circumflex \u02c6 \U0001fba9": ("minus-circumflex", "minus_circumflex"),
}
# Text that reads as ASCII but is not (the generated project's own lint flags it in source),
# runs of spaces, a word longer than a line.
LOOKALIKES = (
    "Keeps\u00a0orders \u2013 \u201cquoted\u201d, O\u2019Brien\u2019s \U0001f680  twice  "
    + "w" * 120
)


@pytest.mark.parametrize("name", NAMES)
def test_any_project_name_derives_valid_names(tmp_path: Path, name: str) -> None:
    description = 'Keeps "orders" \\ O\'Brien\'s """notes"""' + LOOKALIKES
    author = 'Zoë "Z" O\'Neil'
    project = render(tmp_path, project_name=name, description=description, author_name=author)
    slug, package = NAMES[name]
    assert project.name == slug
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == description
    assert pyproject["project"]["authors"][0]["name"] == author
    source = project / "src" / package
    docstring = ast.get_docstring(ast.parse((source / "__init__.py").read_text()))
    assert docstring is not None, "the package has no docstring"
    assert docstring.split() == description.split(), docstring  # wrapped at its spaces
    titles = [
        node.value.value
        for node in ast.parse((source / "app.py").read_text()).body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    ]
    assert name in titles, f"app.py does not carry the project name {name!r}: {titles}"
    for lint in (["check", "--quiet"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *lint, "."],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"ruff {lint[0]} fails:\n{result.stdout}{result.stderr}"


def test_unusual_but_valid_answers_render(tmp_path: Path) -> None:
    project = render(
        tmp_path,
        project_name="O'Brien's Ledger",
        project_slug="obriens-ledger.api",
        author_email="first.last+tag@sub.example.org",
    )
    assert (project / "src" / "obriens_ledger_api" / "app.py").exists()


def test_slug_with_a_slash_is_refused_and_no_file_is_written(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(FailedHookException):
        render(tmp_path, project_slug="my/service")
    assert "project_slug 'my/service'" in capfd.readouterr().err
    # Cookiecutter creates my/ before any hook runs and removes only my/service.
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*")] == [Path("my")]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"python_version": "3.9"}, "3.9 provided for choice variable python_version"),
        ({"database": "mysql"}, "mysql provided for choice variable database"),
        ({"license": "GPL"}, "GPL provided for choice variable license"),
    ],
)
def test_choice_outside_its_list_is_refused(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        render(tmp_path, **answers)
    assert list(tmp_path.iterdir()) == []
