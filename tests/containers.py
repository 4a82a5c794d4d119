"""A container engine for the tests that build images and run them: the `docker` command of
one that answers, or the test skips saying so (fails under CI=true)."""

import functools
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests import required
from tests.rendering import run

# Set by a caller that sets an engine up beside the tests (.ci/run): a file that will hold the
# set-up's exit status, beside its log.
SETTING_UP = "CONTAINER_ENGINE_DONE"


@functools.cache
def set_up() -> None:
    """Wait for the caller's engine set-up, if any (once a process)."""
    if not (done := os.environ.get(SETTING_UP)):
        return
    status, deadline = Path(done), time.monotonic() + 900
    while not status.exists() and time.monotonic() < deadline:
        time.sleep(1)
    if not status.exists() or status.read_text().strip() != "0":
        log = status.with_name("log")
        said = log.read_text()[-2000:] if log.exists() else ""
        required.unavailable(f"no container engine: its set-up did not end well:\n{said}")


def require_engine() -> None:
    set_up()
    if shutil.which("docker") is None:
        required.unavailable("no container engine: no docker command (.ci/run starts one)")
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
