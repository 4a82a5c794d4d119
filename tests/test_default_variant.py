"""The default variant, as a user gets it: install, lint, type-check, its own tests, serve."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError

import pytest

from tests.rendering import render, run

pytestmark = pytest.mark.xdist_group("default-variant")
SLUG = "my-service"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = render(tmp_path_factory.mktemp("default"))
    run(["uv", "sync"], project)
    return project


def test_lint_and_types(project: Path) -> None:
    run(["ruff", "check", "."], project)
    run(["ruff", "format", "--check", "."], project)
    run(["mypy"], project)


def test_pre_commit_passes_on_a_fresh_repository(project: Path) -> None:
    run(["git", "init", "-q"], project)
    run(["git", "add", "-A"], project)
    run(["pre-commit", "run", "--all-files"], project)


def test_generated_test_suite_passes(project: Path) -> None:
    output = run(["pytest", "-q", "-p", "no:cacheprovider"], project)
    assert " passed" in output, output
    assert "skipped" not in output, output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(url: str, body: dict[str, str] | None = None) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


class Service:
    """The generated `serve` command as a real process on a free loopback port."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = project.parent / "serve.log"

    def start(self, timeout: float = 30) -> None:
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(self.project / ".venv" / "bin" / SLUG), "serve", "--port", str(self.port)],
                cwd=self.project,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited with {self.process.returncode}"
            try:
                call(f"{self.url}/healthz")
                return
            except (URLError, ConnectionError):
                time.sleep(0.1)
        raise AssertionError(f"serve did not answer /healthz within {timeout} s")

    def stop(self) -> None:
        """SIGTERM, as a process manager stops it; the lifespan must finish its shutdown."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        # uvicorn re-raises the signal once shut down, so -SIGTERM is a clean exit too.
        assert self.process.wait(timeout=15) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in self.log.read_text(), self.log.read_text()


@pytest.fixture
def service(project: Path) -> Iterator[Service]:
    service = Service(project)
    yield service
    if service.process is not None and service.process.poll() is None:
        service.process.kill()


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
