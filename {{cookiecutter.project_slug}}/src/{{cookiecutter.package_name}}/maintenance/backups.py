"""`backup` and `restore`: a snapshot taken while the service writes, and a backup put back
only once it is checked. What each database does for them is in db/archive.py."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import exists, inspect, select

from ..db.archive import Refused, checked_revision, replace, snapshot, writers_held
from ..db.base import Base
from ..db.dialect import create_db_engine
from ..settings import Settings
from .migrate import MigrationRefused, migration_scripts, upgrade

__all__ = ["Refused", "backup", "restore"]


def backup(settings: Settings, target: Path, report: Callable[[str], object]) -> str:
    """Copy the database into the new file `target`; what was copied, in one line."""
    if target.exists():
        raise Refused(f"{target} exists: name a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written under a name of its own, readable by its owner only (it holds every row), and
    # linked to `target` once whole: `target` is a backup or nothing, and never another's.
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        snapshot(settings, partial, report)
        revision = checked_revision(partial)
        try:
            os.link(partial, target)
        except FileExistsError:
            raise Refused(f"{target} exists: name a new file") from None
    finally:
        partial.unlink()
    return f"backed up to {target} ({target.stat().st_size:,} bytes, revision {revision})"


def restore(settings: Settings, source: Path, force: bool) -> str:
    """Replace the database with the backup `source`, then migrate it to the head revision."""
    if not source.is_file():
        raise Refused(f"no file at {source}")
    revision = checked_revision(source)
    try:
        migration_scripts().get_revision(revision)
    except CommandError:  # Alembic's, for a revision it cannot find
        raise Refused(
            f"{source} is at revision {revision}, which the migrations do not have "
            "(a newer release's?)"
        ) from None
    with writers_held(settings):
        if not force and (table := _a_table_with_rows(settings)):
            raise Refused(f"the database has rows (in {table}): restore --force replaces them")
        replace(settings, source)
        try:
            upgrade(settings)
        except MigrationRefused as error:
            raise Refused(
                f"restored {source} (revision {revision}), but not migrated: {error}; run "
                "`migrate` before the service"
            ) from None
    return f"restored {source} (revision {revision}), and migrated to the head revision"


def _a_table_with_rows(settings: Settings) -> str | None:
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            for table in Base.metadata.sorted_tables:
                if table.name in present and connection.scalar(select(exists().select_from(table))):
                    return table.name
    finally:
        engine.dispose()
    return None
