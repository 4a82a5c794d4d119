"""The lower bounds in a generated pyproject.toml are versions that work, not guesses."""

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

from tests.rendering import run
from tests.suite import project_copy
from tests.variants import Variant, params

LOWER_BOUND = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([^,;\s]+)")


def lower_bounds(pyproject: Path) -> dict[str, str]:
    """Each dependency's name (normalized) and the version its `>=` names."""
    project = tomllib.loads(pyproject.read_text())
    requirements = project["project"]["dependencies"] + project["dependency-groups"]["dev"]
    bounds = (LOWER_BOUND.match(requirement) for requirement in requirements)
    return {normalized(bound[1]): bound[2] for bound in bounds if bound}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Each database's floors, and both observability answers: SQLite's through its async render
# with observability (aiosqlite's floor and OpenTelemetry's, FastAPI's higher one, on top of
# the sync render's), PostgreSQL's through its async render without. A session style adds
# no bound of its own on PostgreSQL.
@pytest.mark.parametrize("variant_name", params(["postgresql-async", "sqlite-async"]))
def test_the_lowest_versions_allowed_pass_the_suite(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    """Installed with uv's lowest-direct resolution (every direct dependency at its lower
    bound), the project passes its own suite, the API fuzzer included, and its type check."""
    variant = prepared(variant_name)
    copy = project_copy(variant, tmp_path)
    run(["uv", "sync", "--resolution", "lowest-direct"], copy)
    listed = run(["uv", "pip", "list", "--format", "json"], copy).split("\n", 1)[0]
    installed = {normalized(p["name"]): Version(p["version"]) for p in json.loads(listed)}
    bounds = lower_bounds(copy / "pyproject.toml")
    assert bounds, "no lower bounds found in pyproject.toml"
    above = {name: str(installed.get(name)) for name, bound in bounds.items()}
    above = {name: v for name, v in above.items() if installed.get(name) != Version(bounds[name])}
    assert not above, f"lowest-direct installed other versions than the bounds {bounds}: {above}"
    python = str(copy / ".venv" / "bin" / "python")
    output = run([python, "-m", "pytest", "-q"], copy, **variant.env)
    assert " passed" in output, output
    assert "skipped" not in output, output
    assert "Success" in run([python, "-m", "mypy"], copy)
