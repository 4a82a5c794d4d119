"""A restore checks the file before it touches the database, and refuses what it cannot use (a
damaged or foreign file, a newer revision's, a database with rows unless forced) with the
database left as it was; an older revision's backup is migrated to the head.
"""

import random
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

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

from tests.archives import fill, revisions_of, tag_names

PAGE = 4096  # what a damaged page of a backup replaces with noise


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
