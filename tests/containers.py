"""A container engine for the tests that build images and run them: the `docker` command of
one that answers, or the test skips saying so (fails under CI=true)."""

import shutil
import subprocess
from pathlib import Path

from tests import required
from tests.rendering import run


def require_engine() -> None:
    if shutil.which("docker") is None:
        required.unavailable("no container engine: no docker command (see .ci/container-engine)")
    info = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if info.returncode != 0:
        said = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        required.unavailable(f"no container engine answers docker info: {said}")


def docker(*args: str, cwd: Path = Path(), timeout: float = 900, **env: str) -> str:
    """Run a docker command; fail with its output."""
    return run(["docker", *args], cwd, timeout, **env)
