"""Each full variant as a user gets it: install, lint, type-check, its own tests, serve."""

from collections.abc import Callable, Iterator

import pytest

from tests.rendering import environment, run
from tests.service import Service, call
from tests.variants import FULL_VARIANTS, Variant, params


@pytest.fixture(params=params(list(FULL_VARIANTS)))
def variant(request: pytest.FixtureRequest, prepared: Callable[[str], Variant]) -> Variant:
    return prepared(request.param)


def test_lint_and_types(variant: Variant) -> None:
    run(["ruff", "check", "."], variant.project)
    run(["ruff", "format", "--check", "."], variant.project)
    run(["mypy"], variant.project)


def test_pre_commit_passes_on_a_fresh_repository(variant: Variant) -> None:
    run(["git", "init", "-q"], variant.project)
    run(["git", "add", "-A"], variant.project)
    run(["pre-commit", "run", "--all-files"], variant.project)


def test_generated_test_suite_passes(variant: Variant) -> None:
    output = run(["pytest", "-q", "-p", "no:cacheprovider"], variant.project, **variant.env)
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
