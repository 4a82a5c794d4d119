"""A PostgreSQL server for the PostgreSQL variants.

TEST_POSTGRES_URL when it is set; otherwise a throwaway cluster started from the local
PostgreSQL binaries (as the postgres OS user when running as root) on a free loopback port,
stopped and deleted afterwards. Without either, PostgreSQL tests skip with the reason, except
under CI=true, where they fail.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from tests import required
from tests.service import free_port

SERVER_VARIABLE = "TEST_POSTGRES_URL"


def binaries() -> Path | None:
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def unavailable(reason: str) -> NoReturn:
    required.unavailable(
        f"no PostgreSQL server: {reason}. Set {SERVER_VARIABLE} or install PostgreSQL"
    )


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a superuser on a server where databases may be created."""
    if url := os.environ.get(SERVER_VARIABLE):
        yield url
        return
    bindir = binaries()
    if bindir is None:
        unavailable("no initdb found (pg_config --bindir, /usr/lib/postgresql/*/bin)")
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if not shutil.which("runuser"):
            unavailable("running as root without runuser to switch to the postgres user")
        as_user = ["runuser", "-u", "postgres", "--"]
    workdir = Path(tempfile.mkdtemp(prefix="template-pg-"))
    if as_user:
        shutil.chown(workdir, "postgres")
    data, port = workdir / "data", free_port()

    def pg(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, timeout=120)

    try:
        pg(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(workdir / "log"),
            "-w",
            "start",
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            pg(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(workdir, ignore_errors=True)
