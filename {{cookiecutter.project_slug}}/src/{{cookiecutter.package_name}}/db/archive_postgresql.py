"""Backups of the PostgreSQL database, through PostgreSQL's own client tools.

pg_dump's custom format holds the database as one transaction saw it: writers go on beside
it. pg_restore puts it back in one transaction, so a file found damaged half-way leaves the
database as it was. The tools must be of the server's major version or newer.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from sqlalchemy import make_url

from ..settings import Settings

# pg_dump --verbose names each table as it copies its rows.
_COPYING: Final = re.compile(r'dumping contents of table "(?P<table>[^"]+)"')
_REVISION_ROWS: Final = re.compile(
    r"^COPY public\.alembic_version .* FROM stdin;\n(?P<rows>.*?)^\\\.$", re.M | re.S
)


class Refused(RuntimeError):
    """A backup or restore not made, for a reason told in one line; nothing changed."""


def snapshot(settings: Settings, copy: Path, report: Callable[[str], object]) -> None:
    """Copy the database, as it is now, into the new file `copy`."""
    _run(["pg_dump", "--format=custom", "--verbose", f"--file={copy}"], settings, report)


def revision_in(backup: Path) -> str:
    """The schema revision of a file pg_restore reads as a dump of the database."""
    unreadable = f"{backup} is not a whole dump of a database: "
    _run(["pg_restore", "--list", str(backup)], failed=unreadable)  # its table of contents
    rows = ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(backup)]
    script = _run(rows, failed=unreadable)
    found = _REVISION_ROWS.search(script)
    if found is None or not found["rows"].strip():
        raise Refused(f"{backup} records no schema revision")
    return found["rows"].split()[0]


def replace(settings: Settings, backup: Path) -> None:
    """Drop what the dump holds and create it again, in one transaction."""
    restore = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    restore += ["--single-transaction", "--exit-on-error", str(backup)]
    _run(restore, settings, failed="the database was left as it was: ")


def _run(
    command: list[str],
    settings: Settings | None = None,
    report: Callable[[str], object] | None = None,
    failed: str = "",
) -> str:
    """Run a client tool (on the database, given settings); what it writes to stdout."""
    if (tool := shutil.which(command[0])) is None:
        raise Refused(
            f"{command[0]} not found: install PostgreSQL's client tools, of the server's "
            "version or newer (Debian, Ubuntu: apt-get install postgresql-client)"
        )
    environment = os.environ.copy()
    if settings is not None:
        url = make_url(settings.database_url)
        libpq = url.set(drivername="postgresql", password=None)
        command = [*command, f"--dbname={libpq.render_as_string(hide_password=False)}"]
        environment.update(PGCONNECT_TIMEOUT=str(settings.connect_timeout_s))
        if url.password is not None:  # the environment, not the command line, which ps shows
            environment.update(PGPASSWORD=str(url.password))
    said = []
    with (
        tempfile.TemporaryFile("w+") as output,
        subprocess.Popen(  # noqa: S603  (the service's own arguments)
            [tool, *command[1:]], stdout=output, stderr=subprocess.PIPE, text=True, env=environment
        ) as process,
    ):
        for line in process.stderr or ():
            if report is not None and (copying := _COPYING.search(line)):
                report(f"table {copying['table']}")
            else:
                said.append(line.strip())
        if process.wait() == 0:
            output.seek(0)
            return output.read()
    errors = [line for line in said if "error:" in line] or said or ["it gave no reason"]
    raise Refused(failed + (errors[0].partition("error: ")[2] or errors[0]))
