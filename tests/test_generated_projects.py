"""Each full variant as a user gets it: install, lint, type-check, its own tests, serve; and
every daily command of its Makefile."""

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from tests.rendering import environment, run
from tests.service import Service, call
from tests.variants import FULL_VARIANTS, Variant, params


@pytest.fixture(params=params(list(FULL_VARIANTS)))
def variant(request: pytest.FixtureRequest, prepared: Callable[[str], Variant]) -> Variant:
    return prepared(request.param)


def pipeline_commands(project: Path) -> list[str]:
    """The shell commands the project's CI pipeline runs, as its file lists them."""
    github = project / ".github" / "workflows" / "ci.yml"
    if github.exists():
        steps = yaml.safe_load(github.read_text())["jobs"]["test"]["steps"]
        return [step["run"] for step in steps if "run" in step]
    gitlab = project / ".gitlab-ci.yml"
    return list(yaml.safe_load(gitlab.read_text())["test"]["script"]) if gitlab.exists() else []


def test_the_pipeline_passes_here(variant: Variant) -> None:
    """What CI runs (pre-commit with ruff, mypy and the import layers; the migration drift
    check; the tests), run here from the pipeline file, so it cannot name a command that
    does not exist."""
    commands = pipeline_commands(variant.project)
    assert commands, f"{variant.name} renders no pipeline"
    run(["git", "init", "-q"], variant.project)
    run(["git", "add", "-A"], variant.project)
    for command in commands:
        output = run(["bash", "-c", command], variant.project, **variant.env)
        if command == "make test":
            assert " passed" in output, output
            assert "skipped" not in output, output


def makefile_targets(project: Path) -> list[str]:
    """The targets `make help` lists."""
    return re.findall(r"^  make (\S+)", run(["make"], project), re.MULTILINE)


# Each target not run by the pipeline, with its arguments and what its output shows (None:
# its exit status is the check).
DAILY: dict[str, tuple[list[str], str | None]] = {
    "help": ([], "make migration-check"),
    "install": ([], None),
    "format": ([], "All checks passed!"),
    "typecheck": ([], "Success: no issues found"),
    "migrate": ([], "Running upgrade"),
    "seed": ([], None),
    "migration": (["m=nothing changed"], "no changes to migrate"),
    "fuzz": (["examples=5"], " passed"),
}


@pytest.mark.parametrize("variant_name", params(["sqlite"]))
def test_every_daily_command_runs(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    """Each target of the Makefile runs here: the pipeline's (lint, migration-check, test)
    in test_the_pipeline_passes_here, serve below, the others here."""
    project = prepared(variant_name).project
    in_pipeline = {command.split()[1] for command in pipeline_commands(project)}
    assert {"install", "lint", "migration-check", "test"} <= in_pipeline, in_pipeline
    untested = set(makefile_targets(project)) - set(DAILY) - in_pipeline - {"serve", "check"}
    assert not untested, f"Makefile targets no test runs: {sorted(untested)}"
    database = f"sqlite:///{tmp_path / 'daily.db'}"
    for target, (arguments, shown) in DAILY.items():
        output = run(["make", target, *arguments], project, DATABASE_URL=database)
        assert shown is None or shown in output, f"make {target}:\n{output}"
    service = Service(["make", "serve"], project, environment(DATABASE_URL=database), tmp_path)
    try:
        service.start(path="/readyz")
    finally:
        service.kill()


@pytest.fixture
def service(variant: Variant) -> Iterator[Service]:
    service = Service(
        [variant.bin(variant.slug), "serve"], variant.project, environment(**variant.env)
    )
    yield service
    service.kill()


def test_serve_answers_and_keeps_data_across_a_restart(service: Service) -> None:
    service.start()
    assert call(f"{service.url}/healthz") == (200, {"status": "ok"})
    assert call(f"{service.url}/readyz") == (200, {"status": "ready"})
    status, user = call(f"{service.url}/users", {"email": "kept@example.com", "name": "Kept"})
    assert status == 201
    service.stop()

    service.start()
    assert call(f"{service.url}/users/{user['id']}") == (200, user)  # type: ignore[index]
    service.stop()
