"""SQLite faults from outside the service: a file it may not write, a disk with no room.

While the fault lasts, reads go on, writes answer 503 with Retry-After (the client may try
again; nothing is lost), and /readyz says the database cannot take writes where the file
system tells. Once it clears, the service writes again without a restart: SQLite opens a
file it may not write read-only, for good, so the connections must be replaced.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from {{ cookiecutter.package_name }}.db.dialect import database_file
from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.errors import Unavailable
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.problems import in_process
from tests.sessions import engine_of

RETRY_AFTER = Unavailable.headers["Retry-After"]
# More creates than a page of the tags table and its index holds.
FILLING = 500


@contextmanager
def unwritable(file: Path) -> Iterator[None]:
    """The file as one the service may not write: its mode for a user, the immutable
    attribute for root, whom modes do not stop."""
    if os.geteuid() != 0:
        mode = file.stat().st_mode
        file.chmod(0o444)
        try:
            yield
        finally:
            file.chmod(mode)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", file], check=False).returncode:
        pytest.skip("as root, a file is unwritable only with chattr +i, which failed here")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", file], check=True)


def answer(client: TestClient, method: str, path: str, **kwargs: Any) -> tuple[int, str | None]:
    response = client.request(method, path, **kwargs)
    return response.status_code, response.headers.get("retry-after")


def test_a_file_it_may_not_write_answers_503_and_heals(settings: Settings) -> None:
    file = database_file(settings)
    assert file is not None
    with in_process(app_of(settings)) as client:
        with unwritable(file):
            read = answer(client, "GET", "/tags")
            refused = answer(client, "POST", "/tags", json={"name": "refused"})
            unready = answer(client, "GET", "/readyz")
        after = answer(client, "POST", "/tags", json={"name": "kept"})
        ready = answer(client, "GET", "/readyz")
    assert read[0] == 200, f"a read of a file the service may not write answered {read}"
    assert refused == (503, RETRY_AFTER), (
        f"a create on a file the service may not write answered {refused}, not 503 with "
        "Retry-After: the file, not the request, is at fault (unavailable in "
        "db/dialect/failures.py)"
    )
    assert unready[0] == 503, (
        f"/readyz answered {unready} while the database file could not be written: a "
        "database that cannot take writes is not ready (unwritable in db/dialect/files.py)"
    )
    assert (after[0], ready[0]) == (201, 200), (
        f"once the file could be written again, a create answered {after[0]} and /readyz "
        f"{ready[0]}: the pool kept connections SQLite opened read-only. Replace them once "
        "the file may be written (_replace_read_only_connections in db/dialect/connections.py)"
    )


@contextmanager
def disk_full(database: Database) -> Iterator[None]:
    """No room for another page in the database, on every connection the service checks out.
    (SQLite's own limit, max_page_count, fails writes as a full disk does, SQLITE_FULL.)"""
    full = True

    def cap(dbapi_connection: Any, *_: Any) -> None:
        cursor = dbapi_connection.cursor()
        if full:
            cursor.execute("PRAGMA page_count")
            cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
        else:
            cursor.execute("PRAGMA max_page_count = 4294967294")  # SQLite's largest
        cursor.close()

    event.listen(engine_of(database), "checkout", cap)
    try:
        yield
    finally:
        full = False


def test_a_full_disk_answers_503_and_heals(client: TestClient, database: Database) -> None:
    with disk_full(database):
        for number in range(FILLING):
            refused = answer(client, "POST", "/tags", json={"name": f"filler-{number:040d}"})
            if refused[0] != 201:
                break
    after = answer(client, "POST", "/tags", json={"name": "after"})
    assert refused == (503, RETRY_AFTER), (
        f"a create on a full disk answered {refused}, not 503 with Retry-After: the disk, not "
        "the request, is at fault (unavailable in db/dialect/failures.py)"
    )
    assert after[0] == 201, f"a create once the disk had room again answered {after}"
