"""Every option value renders: no Jinja left, config files parse, only the chosen files exist."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.rendering import ROOT, answers_of, render
from tests.variants import Variant

# Answer sets rendered and checked here; tests/variants.py lists those installed and run in full.
RENDERED_VARIANTS = {
    "default": {},
    "sqlite-docker": {"docker": "yes"},
    "postgresql": {"database": "postgresql"},
    "postgresql-docker": {"database": "postgresql", "docker": "yes"},
    "sqlite-async": {"session_style": "async"},
    "postgresql-async": {"database": "postgresql", "session_style": "async"},
    "opentelemetry": {"observability": "opentelemetry"},
    "auth": {"auth": "password"},
    # Every option that adds to the app and its compose.yaml at once.
    "auth-opentelemetry-postgresql-docker": {
        "auth": "password",
        "observability": "opentelemetry",
        "database": "postgresql",
        "docker": "yes",
    },
    **{f"python-{v}": {"python_version": v} for v in ("3.12", "3.13", "3.14")},
    **{f"license-{v}": {"license": v} for v in ("BSD-3-Clause", "Proprietary")},
    "ci-gitlab-postgresql": {"ci": "gitlab", "database": "postgresql", "python_version": "3.13"},
    "ci-none": {"ci": "none"},
    "quoted-names": {
        "project_name": 'Bob\'s "Café" API',
        "description": 'Keeps "orders" \\ and O\'Brien\'s """notes"""',
        "author_name": 'Zoë "Z" O\'Neil',
    },
    "long-names": {
        # Names as long as the answers hook allows (40), derived from the project name.
        "project_name": "Order Fulfilment And Reconciliation APIs",
    },
}
LEFTOVER_JINJA = re.compile(r"(?<!\$){{|{%|{#")  # ${{ }}: a GitHub Actions expression
MODULE_LINES = 200
TEXT_SUFFIXES = {".py", ".toml", ".md", ".yaml", ".yml", ".cfg", ".ini", ".txt", ".json", ""}


@pytest.fixture(params=list(RENDERED_VARIANTS), scope="module")
def variant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Variant:
    name = request.param
    answers = RENDERED_VARIANTS[name]
    return Variant(name, answers, render(tmp_path_factory.mktemp(name), **answers))


def rendered_text_files(project: Path) -> list[Path]:
    """The rendered files, not the repository the hook made of them."""
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and path.suffix in TEXT_SUFFIXES and ".git" not in path.parts
    ]


def test_no_jinja_left(variant: Variant) -> None:
    project = variant.project
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path in rendered_text_files(project)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LEFTOVER_JINJA.search(line)
    ]
    assert not leftovers, "unrendered Jinja:\n" + "\n".join(leftovers)


def test_readme_has_no_double_blank_line(variant: Variant) -> None:
    project = variant.project
    text = (project / "README.md").read_text()
    if "\n\n\n" in text:
        line = text[: text.index("\n\n\n")].count("\n") + 2
        pytest.fail(f"README.md has two blank lines in a row at line {line}")


def test_config_files_parse(variant: Variant) -> None:
    project, answers = variant.project, variant.answers
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={answers.get('python_version', '3.11')}"
    for path in [*project.rglob("*.yaml"), *project.rglob("*.yml")]:
        yaml.safe_load(path.read_text())
    assert answers_of(project)["project_slug"] == project.name


def test_chosen_files_only(variant: Variant) -> None:
    project, answers = variant.project, variant.answers
    license_name = answers.get("license", "MIT")
    assert not list(project.glob("LICENSE_*"))
    assert (project / "LICENSE").exists() == (license_name != "Proprietary")
    if license_name != "Proprietary":
        assert license_name.split("-")[0] in (project / "LICENSE").read_text()
    package = answers_of(project)["package_name"]
    assert (project / "src" / package / "app.py").exists()
    database = answers.get("database", "sqlite")
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[database]
    assert (project / "tests" / f"test_guard_{database}.py").exists()
    assert not (project / "tests" / f"test_guard_{other}.py").exists()
    leftovers = [
        str(path.relative_to(project))
        for name in (database, other, "sync", "async")
        for path in project.rglob(f"*_{name}*")
        if not path.name.startswith("test_guard_")
    ]
    assert not leftovers, f"per-option files not resolved: {leftovers}"
    style = answers.get("session_style", "sync")
    service = (project / "src" / package / "services" / "users.py").read_text()
    assert ("async def create_user" in service) == (style == "async"), f"{style} services"
    for name in ("Dockerfile", "compose.yaml", ".dockerignore"):
        assert (project / name).exists() == (answers.get("docker") == "yes"), name
    auth = answers.get("auth") == "password"
    for path in (f"src/{package}/auth", f"src/{package}/api/accounts.py", ".env"):
        assert (project / path).exists() == auth, path
    if auth:  # the signing key the hook wrote
        assert (project / ".env").stat().st_mode & 0o077 == 0, "others may read .env"


# What only the other database's, or the other session style's, code would say.
FOREIGN = {
    "sqlite": r"postgres|psycopg",
    "postgresql": r"sqlite|PRAGMA|BEGIN IMMEDIATE",
    "sync": r"async.driver|aiosqlite|AsyncSession|AsyncEngine|async_sessionmaker",
    "async": r"\bsessionmaker\b|synchronous SQLAlchemy",
}


def test_no_code_of_the_other_variants(variant: Variant) -> None:
    """The code of a render is the chosen database's and session style's only: the tests
    too for the database (a style's tests are shared)."""
    project, answers = variant.project, variant.answers
    database = answers.get("database", "sqlite")
    style = answers.get("session_style", "sync")
    checks = [
        (FOREIGN[database], project.rglob("*.py")),
        (FOREIGN[style], project.glob("src/**/*.py")),
    ]
    hits = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for foreign, paths in checks
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(foreign, line, re.IGNORECASE)
    ]
    assert not hits, "code of another variant:\n" + "\n".join(hits)


def test_modules_are_small_and_each_in_a_layer(variant: Variant) -> None:
    """Each module of the service and of its tests has one job, which fits in under
    MODULE_LINES lines (Alembic's revisions aside); each module or folder at the top of the
    package sits in a layer of the import contract."""
    project = variant.project
    package = project / "src" / answers_of(project)["package_name"]
    code = [path for path in package.rglob("*.py") if "migrations" not in path.parts]
    code += list((project / "tests").rglob("*.py"))
    sizes = {str(path.relative_to(project)): len(path.read_text().splitlines()) for path in code}
    large = {path: lines for path, lines in sizes.items() if lines >= MODULE_LINES}
    assert not large, f"modules of {MODULE_LINES} lines or more: split them by job: {large}"
    contract = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = contract["contracts"][0]["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    top = {
        path.stem
        for path in package.iterdir()
        if path.suffix == ".py" or (path / "__init__.py").exists()
    } - {"__init__", "__main__", "migrations"}
    assert top <= named, f"in no layer of [tool.importlinter] in pyproject.toml: {top - named}"


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=" ".join)
def test_ruff_finds_nothing(variant: Variant, command: list[str]) -> None:
    project = variant.project
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def assert_schema(schema: str, files: list[Path]) -> None:
    """check-jsonschema with one of its built-in schemas (GitHub, GitLab, Dependabot)."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema]
    result = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_workflows_match_the_github_schema() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    assert_schema("vendor.github-workflows", workflows)


SUPPORTED_PYTHONS = json.loads((ROOT / "cookiecutter.json").read_text())["python_version"]
PIPELINES = {
    "github": {
        ".github/workflows/ci.yml": "vendor.github-workflows",
        ".github/dependabot.yml": "vendor.dependabot",
    },
    "gitlab": {".gitlab-ci.yml": "vendor.gitlab-ci"},
    "none": {},
}


def test_ci_files_are_the_chosen_ones_and_valid(variant: Variant) -> None:
    chosen = variant.answers.get("ci", "github")
    for ci, files in PIPELINES.items():
        for name, schema in files.items():
            path = variant.project / name
            assert path.exists() == (ci == chosen), name
            if ci == chosen:
                assert_schema(schema, [path])
    assert (variant.project / ".github").exists() == (chosen == "github")
    if chosen != "none":
        pipeline = next(iter(PIPELINES[chosen]))
        floor = SUPPORTED_PYTHONS.index(variant.answers.get("python_version", "3.11"))
        versions = re.findall(r'"(3\.\d+)"', (variant.project / pipeline).read_text())
        assert versions == SUPPORTED_PYTHONS[floor:], f"{pipeline} tests Python {versions}"
