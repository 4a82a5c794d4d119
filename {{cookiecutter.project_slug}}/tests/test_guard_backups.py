"""A backup restores: taken while 50 clients write, it holds every row acknowledged before it
began, and the service starts on its restore; a backup that fails leaves nothing behind."""

import asyncio
import time
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.db.dialect import scratch_database
from {{ cookiecutter.package_name }}.maintenance.backups import (
    Refused,
    backup,
    restore,
)
from {{ cookiecutter.package_name }}.models import Tag
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.archives import fill
from tests.problems import in_process
from tests.server import serving

WRITERS = 50
# Rows there before the writers start: the backup copies them while the writers go on.
ROWS = 20_000
# The writes acknowledged before the backup starts (as many as there are writers, so each
# is under way), and how long the writers go on after it ended.
BEFORE = WRITERS
AFTER_S = 0.5


async def back_up_under_writers(
    server_url: str, settings: Settings, file: Path
) -> tuple[list[tuple[float, int]], list[str], float, float]:
    """Back up while WRITERS clients create tags: (when each create was acknowledged, its id),
    what failed, and when the backup began and ended."""
    acknowledged: list[tuple[float, int]] = []
    failed: list[str] = []
    done = asyncio.Event()
    limits = httpx2.Limits(max_connections=WRITERS)
    async with httpx2.AsyncClient(base_url=server_url, timeout=10, limits=limits) as http:

        async def writer(number: int) -> None:
            for count in range(10_000):
                if done.is_set():
                    return
                response = await http.post("/tags", json={"name": f"w{number}-{count}"})
                if response.status_code != 201:
                    failed.append(f"{response.status_code} {response.text[:120]}")
                    return
                acknowledged.append((time.monotonic(), response.json()["id"]))

        writers = [asyncio.create_task(writer(number)) for number in range(WRITERS)]
        deadline = time.monotonic() + 10  # on a loaded machine the first take a while
        while len(acknowledged) < BEFORE and not failed and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        began = time.monotonic()
        await asyncio.to_thread(backup, settings, file, lambda _: None)
        ended = time.monotonic()
        await asyncio.sleep(AFTER_S)
        done.set()
        await asyncio.gather(*writers)
    return acknowledged, failed, began, ended


def test_a_backup_under_writers_restores_every_acknowledged_row(
    app: FastAPI, settings: Settings, arrange: sessionmaker[Session], tmp_path: Path
) -> None:
    fill(arrange, ROWS)
    file = tmp_path / "backups" / "backup"  # a folder the backup makes
    with serving(app) as server_url:
        acknowledged, failed, began, ended = asyncio.run(
            back_up_under_writers(server_url, settings, file)
        )
    assert not failed, f"{len(failed)} writes failed beside the backup: {failed[:3]}"
    before = {row for at, row in acknowledged if at < began}
    beside = sum(began <= at < ended for at, _ in acknowledged)
    assert before, "no write was acknowledged before the backup began: nothing was tested"
    assert [path.name for path in file.parent.iterdir()] == [file.name], (
        f"beside the backup: {sorted(path.name for path in file.parent.iterdir())}; a backup "
        "is one file, and what was written on the way to it is gone (backups.py backup)"
    )

    with scratch_database(settings) as elsewhere:
        restore(elsewhere, file, force=False)
        engine = create_engine(elsewhere.database_url)
        try:
            with engine.connect() as connection:
                restored = set(connection.scalars(select(Tag.id)))
        finally:
            engine.dispose()
        missing = before - restored
        assert not missing, (
            f"{len(missing)} of {len(before)} rows acknowledged before the backup began are "
            f"not in its restore ({beside} more were acknowledged while it ran): a backup must "
            "copy the database as one transaction sees it, with what the WAL holds, not its "
            "file (db/archive.py snapshot)"
        )
        with in_process(app_of(elsewhere)) as client:
            kept = client.get(f"/tags/{max(before)}")
            added = client.post("/tags", json={"name": "after the restore"})
        assert (kept.status_code, added.status_code) == (200, 201), (
            f"the service on the restored database answered {kept.status_code} to a read and "
            f"{added.status_code} to a create: {kept.text[:200]} {added.text[:200]}"
        )
        assert added.json()["id"] not in restored, "a new row took the id of a restored one"


def test_a_failed_backup_leaves_nothing(settings: Settings, tmp_path: Path) -> None:
    url = make_url(settings.database_url).set(database=f"{tmp_path}/no-such-database")
    missing = settings.model_copy(update={"database_url": url.render_as_string(False)})
    folder = tmp_path / "backups"
    with pytest.raises(Refused):
        backup(missing, folder / "backup", lambda _: None)
    left = sorted(path.name for path in folder.iterdir()) if folder.exists() else []
    assert not left, f"a backup that failed left {left}: take out what it wrote (backups.py backup)"
