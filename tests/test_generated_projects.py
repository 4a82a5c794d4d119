"""Each full variant as a user gets it: install, lint, type-check, its own tests, serve."""

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
        if command.endswith("pytest"):
            assert " passed" in output, output
            assert "skipped" not in output, output


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
