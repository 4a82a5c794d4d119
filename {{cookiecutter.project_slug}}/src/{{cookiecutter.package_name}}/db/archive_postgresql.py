"""Backups of the PostgreSQL database, through PostgreSQL's own client tools.

pg_dump's custom format holds the database as one transaction saw it: writers go on beside
it. A restore reads the whole dump into SQL before it touches the database, so a damaged file
is refused with the database untouched, then runs that SQL through psql in one transaction
that first empties the schema: tables a later revision added go too, and the migration that
follows builds them again. The tools must be of the server's major version or newer.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from psycopg.conninfo import make_conninfo
from sqlalchemy import make_url

from ..settings import Settings

# pg_dump --verbose names each table as it copies its rows.
_COPYING: Final = re.compile(r'dumping contents of table "(?P<table>[^"]+)"')
_REVISION_ROWS: Final = re.compile(
    r"^COPY public\.alembic_version [^\n]* FROM stdin;\n(?P<rows>[^\\]*)^\\\.$", re.M
)
_EMPTY_THE_SCHEMA: Final = "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"


class Refused(RuntimeError):
    """A backup or restore not made, or not finished, for a reason told in one line."""


def snapshot(settings: Settings, copy: Path, report: Callable[[str], object]) -> None:
    """Copy the database, as it is now, into the file `copy`."""
    # Waits at most this long for a table a migration has locked, then fails.
    wait = f"--lock-wait-timeout={settings.migration_lock_timeout_ms}"
    _run(["pg_dump", "--format=custom", "--verbose", wait, f"--file={copy}"], settings, report)


def checked_revision(backup: Path) -> str:
    """The schema revision of a file pg_restore reads whole as a dump."""
    unreadable = f"{backup} is not a whole dump of a database: "
    _run(["pg_restore", "--file=/dev/null", str(backup)], failed=unreadable)
    rows = ["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(backup)]
    found = _REVISION_ROWS.search(_run(rows, failed=unreadable))
    if found is None or not found["rows"].strip():
        raise Refused(f"{backup} records no schema revision")
    return found["rows"].split()[0]


@contextmanager
def writers_held(_settings: Settings) -> Iterator[None]:
    """Nothing to hold: the restore is one transaction, whose locks the service waits for."""
    yield


def replace(settings: Settings, backup: Path) -> None:
    """Empty the schema and restore the dump into it, in one transaction."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder, "restore.sql")
        restore = ["pg_restore", "--no-owner", "--no-privileges", f"--file={script}"]
        _run([*restore, str(backup)])
        psql = ["psql", "--single-transaction", "--quiet", "--set=ON_ERROR_STOP=1"]
        psql += [f"--command={_EMPTY_THE_SCHEMA}", f"--file={script}"]
        _run(psql, settings, failed="the database was left as it was: ")


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
        command = [*command, f"--dbname={_connection(settings, environment)}"]
    said = []
    with (
        tempfile.TemporaryFile("w+") as output,
        subprocess.Popen(  # noqa: S603  (the service's own arguments)
            [tool, *command[1:]],
            stdout=output,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            env=environment,
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
    raise Refused(failed + _reason(said))


def _connection(settings: Settings, environment: dict[str, str]) -> str:
    """libpq's connection string for the database; the password goes in `environment`, not
    on the command line, which any user's `ps` shows."""
    url = make_url(settings.database_url)
    arguments = url.translate_connect_args(username="user", database="dbname")
    if password := arguments.pop("password", None):
        environment["PGPASSWORD"] = str(password)
    environment["PGCONNECT_TIMEOUT"] = str(settings.connect_timeout_s)
    # What the restore waits for the service's transactions to let go of, then gives up.
    environment["PGOPTIONS"] = f"-c lock_timeout={settings.migration_lock_timeout_ms}"
    # libpq takes one value of a parameter; SQLAlchemy keeps every one given, the last wins.
    query = {
        key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()
    }
    return make_conninfo("", **arguments, **query)


def _reason(said: list[str]) -> str:
    """A tool's error in one line, with the detail that follows it (a version mismatch)."""
    errors = [number for number, line in enumerate(said) if "error:" in line or "ERROR:" in line]
    if not errors:
        return said[-1] if said else "it gave no reason"
    first = errors[0]
    detail = [line for line in said[first + 1 : first + 2] if "detail:" in line.lower()]
    return " ".join(
        re.sub(r"^.*?(error|ERROR|detail|DETAIL):\s*", "", line) for line in [said[first], *detail]
    )
