"""A generated project's `serve` command as a real process on a free loopback port; free ports
for other servers."""

import json
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

PORTS_PER_WORKER = 4000
# uvicorn's line once it listens, with the port it bound
RUNNING = re.compile(r"running on http://[^:/]+:(\d+)")
STARTED = "Application startup complete"  # each worker's, once its lifespan has run


def free_port() -> int:
    """A free loopback port from this xdist worker's own range, below the ephemeral ports.

    Port 0 would do within one process, but two workers that each start a service at the
    same moment can be handed the same released port, and then probe each other's server.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ...; inherited by subprocesses
    first = 10_000 + PORTS_PER_WORKER * (int(worker.removeprefix("gw")) + 1 if worker else 0)
    for port in random.sample(range(first, first + PORTS_PER_WORKER), PORTS_PER_WORKER):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{first + PORTS_PER_WORKER - 1}")


def call(
    url: str, body: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data, {"content-type": "application/json"} | (headers or {})
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


class Service:
    """The command as a service, started with PORT=0: it binds a free port of its own choice
    and logs which (no other process can take it between a choice and the bind)."""

    def __init__(
        self, command: list[str], cwd: Path, env: dict[str, str], logs: Path | None = None
    ) -> None:
        self.command, self.cwd = command, cwd
        self.env = env | {"PORT": "0", "HOST": "127.0.0.1"}
        handle, log = tempfile.mkstemp(prefix="serve-", suffix=".log", dir=logs or cwd.parent)
        os.close(handle)
        self.log = Path(log)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30, path: str = "/healthz", workers: int = 0) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes its workers too
            )
        self.wait_for(path, timeout, workers)

    def wait_for(self, path: str, timeout: float, workers: int = 0) -> None:
        """Wait until the service says which port it bound (and, given its number of workers,
        that each has started: the first up answers before the others), then until `path`
        answers."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"serve exited:\n{self.log.read_text()}"
            try:
                log = self.log.read_text()
                started = log.count(STARTED) >= workers
                if started and (bound := RUNNING.search(log)):
                    self.port = int(bound[1])
                    call(f"{self.url}{path}")
                    return
            except (URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise AssertionError(
            f"serve did not answer {path} within {timeout} s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        """SIGTERM, as a process manager stops it; the lifespan must finish its shutdown."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        # uvicorn re-raises the signal once shut down, so -SIGTERM is a clean exit too.
        assert self.process.wait(timeout=15) in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in self.log.read_text(), self.log.read_text()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
