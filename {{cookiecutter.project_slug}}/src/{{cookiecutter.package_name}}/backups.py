"""`backup` and `restore`: a snapshot taken while the service writes, and a backup put back
only once it is checked. What each database does for them is in db/archive.py."""

from collections.abc import Callable
from pathlib import Path

from alembic.script.revision import ResolutionError
from sqlalchemy import exists, inspect, select

from .db.archive import Refused, replace, revision_in, snapshot
from .db.base import Base
from .db.dialect import create_db_engine
from .db.migrate import migration_scripts, upgrade
from .settings import Settings

__all__ = ["Refused", "backup", "restore"]


def backup(settings: Settings, target: Path, report: Callable[[str], object]) -> str:
    """Copy the database into the new file `target`; what was copied, in one line."""
    if target.exists():
        raise Refused(f"{target} exists: name a new file")
    # Written under another name, renamed once whole: `target` is a backup or nothing.
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        snapshot(settings, partial, report)
        revision = revision_in(partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return f"backed up to {target} ({target.stat().st_size:,} bytes, revision {revision})"


def restore(settings: Settings, source: Path, force: bool) -> str:
    """Replace the database with the backup `source`, then migrate it to the head revision."""
    if not source.is_file():
        raise Refused(f"no file at {source}")
    revision = revision_in(source)
    try:
        migration_scripts().get_revision(revision)
    except ResolutionError:
        raise Refused(
            f"{source} is at revision {revision}, which the migrations do not have "
            "(a newer release's?)"
        ) from None
    if not force and (table := _a_table_with_rows(settings)):
        raise Refused(f"the database has rows (in {table}): restore --force replaces them")
    replace(settings, source)
    upgrade(settings)
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
