"""A backup restores: taken while 50 clients write, it holds every row acknowledged before it
began, and the service starts on its restore. A restore checks the file before it touches the
database, and refuses what it cannot use (a damaged or foreign file, a database with rows
unless forced) with the database left as it was."""

import asyncio
import random
import time
from pathlib import Path

import httpx2
import pytest
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI
from sqlalchemy import create_engine, insert, make_url, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.db.dialect import scratch_database
from {{ cookiecutter.package_name }}.maintenance.backups import (
    Refused,
    backup,
    restore,
)
from {{ cookiecutter.package_name }}.maintenance.migrate import (
    migration_scripts,
    upgrade,
)
from {{ cookiecutter.package_name }}.models import Tag
from {{ cookiecutter.package_name }}.settings import Settings

from tests.problems import in_process
from tests.server import serving

WRITERS = 50
# Rows there before the writers start: the backup copies them while the writers go on.
ROWS = 20_000
PAGE = 4096  # what a damaged page of a backup replaces with noise
# How long the writers write before the backup starts, and go on after it ended.
AROUND_S = 0.5


def tag_names(settings: Settings) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Tag.name).order_by(Tag.name)))
    finally:
        engine.dispose()


def revisions_of(settings: Settings) -> set[str]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def fill(arrange: sessionmaker[Session], rows: int) -> None:
    with arrange.begin() as session:
        session.execute(insert(Tag), [{"name": f"prefilled {number}"} for number in range(rows)])


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
        await asyncio.sleep(AROUND_S)
        began = time.monotonic()
        await asyncio.to_thread(backup, settings, file, lambda _: None)
        ended = time.monotonic()
        await asyncio.sleep(AROUND_S)
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
        with in_process(create_app(elsewhere)) as client:
            kept = client.get(f"/tags/{max(before)}")
            added = client.post("/tags", json={"name": "after the restore"})
        assert (kept.status_code, added.status_code) == (200, 201), (
            f"the service on the restored database answered {kept.status_code} to a read and "
            f"{added.status_code} to a create: {kept.text[:200]} {added.text[:200]}"
        )
        assert added.json()["id"] not in restored, "a new row took the id of a restored one"


def damaged(good: bytes, how: str) -> bytes:
    noise = random.Random(how)
    if how == "truncated":
        return good[: len(good) // 2]
    if how == "a damaged page":  # past the table of contents and the schema, among the rows
        at = len(good) * 3 // 4 // PAGE * PAGE
        return good[:at] + noise.randbytes(PAGE) + good[at + PAGE :]
    return noise.randbytes(len(good))


def what_it_holds(settings: Settings) -> list[str]:
    try:
        return tag_names(settings)
    except DBAPIError as error:
        return [f"an unreadable database: {error.orig}"]


@pytest.mark.parametrize("how", ["truncated", "a damaged page", "random bytes"])
def test_a_damaged_backup_is_refused_and_the_database_kept(
    settings: Settings, arrange: sessionmaker[Session], tmp_path: Path, how: str
) -> None:
    fill(arrange, 2_000)
    good, bad = tmp_path / "good", tmp_path / "bad"
    backup(settings, good, lambda _: None)
    bad.write_bytes(damaged(good.read_bytes(), how))
    with arrange.begin() as session:
        session.add(Tag(name="added after the backup"))
    kept = tag_names(settings)

    try:
        restore(settings, bad, force=True)
    except Refused as refusal:
        said = str(refusal)
    else:
        said = "nothing"
    assert what_it_holds(settings) == kept, (
        f"a restore of a backup with {how} changed the database (it said: {said}): check the "
        "file before touching the database, and replace it in one transaction (db/archive.py)"
    )
    assert said != "nothing", f"a restore of a backup with {how} was not refused"


def test_a_restore_over_rows_is_refused_unless_forced(
    settings: Settings, arrange: sessionmaker[Session], tmp_path: Path
) -> None:
    file = tmp_path / "backup"
    with arrange.begin() as session:
        session.add(Tag(name="backed up"))
    backup(settings, file, lambda _: None)
    with arrange.begin() as session:
        session.add(Tag(name="added after the backup"))

    with pytest.raises(Refused, match="restore --force replaces them"):
        restore(settings, file, force=False)
    assert tag_names(settings) == ["added after the backup", "backed up"], (
        "restore without --force replaced a database that has rows (backups.py restore)"
    )
    restore(settings, file, force=True)
    assert tag_names(settings) == ["backed up"], "restore --force did not replace the rows"


def test_a_backup_of_an_older_revision_is_migrated_on_restore(
    settings: Settings, tmp_path: Path
) -> None:
    scripts = migration_scripts()
    (first,) = scripts.get_bases()
    file = tmp_path / "backup"
    with scratch_database(settings) as older:
        upgrade(older, first)
        backup(older, file, lambda _: None)

    engine = create_engine(settings.database_url)
    try:
        with engine.begin() as connection:  # a table a later revision made, which the backup lacks
            connection.exec_driver_sql(
                "CREATE TABLE later (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))"
            )
    finally:
        engine.dispose()

    restore(settings, file, force=False)
    assert revisions_of(settings) == set(scripts.get_heads()), (
        f"a restored backup of revision {first} was left at {revisions_of(settings)}: restore "
        "must migrate it to the head revision, as `migrate` does (backups.py restore)"
    )


def test_a_failed_backup_leaves_nothing(settings: Settings, tmp_path: Path) -> None:
    url = make_url(settings.database_url).set(database=f"{tmp_path}/no-such-database")
    missing = settings.model_copy(update={"database_url": url.render_as_string(False)})
    folder = tmp_path / "backups"
    with pytest.raises(Refused):
        backup(missing, folder / "backup", lambda _: None)
    left = sorted(path.name for path in folder.iterdir()) if folder.exists() else []
    assert not left, f"a backup that failed left {left}: take out what it wrote (backups.py backup)"


def test_a_backup_of_a_newer_revision_is_refused_and_the_database_kept(
    settings: Settings, tmp_path: Path
) -> None:
    file = tmp_path / "backup"
    with scratch_database(settings) as newer:
        upgrade(newer)
        engine = create_engine(newer.database_url)
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00d'")
        finally:
            engine.dispose()
        backup(newer, file, lambda _: None)
    kept = revisions_of(settings)

    with pytest.raises(Refused, match="f00d, which the migrations do not have"):
        restore(settings, file, force=True)
    assert revisions_of(settings) == kept, "a refused restore changed the database's revision"
