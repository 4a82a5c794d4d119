"""What SQLite's errors mean: a constraint a write broke, a database that failed rather than a
statement it refused, a write that met a concurrent one."""

import re
import sqlite3

from sqlalchemy import (
    Constraint,
    MetaData,
    UniqueConstraint,
)
from sqlalchemy.dialects.sqlite import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError


def violated_constraints(error: IntegrityError, metadata: MetaData) -> list[Constraint]:
    """The constraints a write may have broken, as far as SQLite tells: a UNIQUE failure
    names its columns ("UNIQUE constraint failed: users.email"); a FOREIGN KEY failure names
    nothing, so every reference of the table the statement wrote is a candidate."""
    kind = getattr(error.orig, "sqlite_errorname", None)
    if kind == "SQLITE_CONSTRAINT_UNIQUE":
        qualified = str(error.orig).rpartition(": ")[2].split(", ")
        table = metadata.tables.get(qualified[0].partition(".")[0])
        columns = {name.partition(".")[2] for name in qualified}
        candidates = table.constraints if table is not None else set()
        return [
            constraint
            for constraint in candidates
            if isinstance(constraint, UniqueConstraint)
            and {column.name for column in constraint.columns} == columns
        ]
    statement = re.match(r'(INSERT INTO|UPDATE|DELETE FROM) "?(\w+)', error.statement or "")
    if kind != "SQLITE_CONSTRAINT_FOREIGNKEY" or statement is None:
        return []
    verb, name = statement.groups()
    references = (fk for table in metadata.tables.values() for fk in table.foreign_key_constraints)
    if verb == "DELETE FROM":  # rows elsewhere still refer to the deleted one
        suspects = [fk for fk in references if fk.referred_table.name == name]
    else:
        suspects = [fk for fk in references if fk.table.name == name]
    return sorted(suspects, key=lambda fk: str(fk.name))


# SQLite's primary result codes for a database that failed rather than a statement it
# refused: busy, out of memory, I/O error, corrupt, full, cannot open, locking protocol, not a
# database.
_OUTAGES = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)


def unavailable(error: OperationalError) -> bool:
    """Whether the database, not the code, failed. A statement SQLite refuses (a write through
    a read session, too many parameters, a missing table) fails as an OperationalError too,
    and is a bug to report as one."""
    # A connection found lost, with or without a code (_replace_connections_on_outage marks
    # those with one).
    if error.connection_invalidated:
        return True
    return outage(getattr(error.orig, "sqlite_errorcode", None), writing=False)


def outage(code: int | None, writing: bool) -> bool:
    if code is None:
        return False
    # Plain SQLITE_READONLY in a read session is a write it attempted (query_only): a bug. In
    # a write session the file cannot be written; its extended codes say the file was moved
    # or replaced.
    if (code & 0xFF) == sqlite3.SQLITE_READONLY:
        return writing or code != sqlite3.SQLITE_READONLY
    return (code & 0xFF) in _OUTAGES


def conflicted(error: Exception) -> bool:
    """Whether a write failed only because a concurrent one changed what it works on. Writes
    to SQLite take turns, so only the ORM could find so (StaleDataError)."""
    return isinstance(error, StaleDataError)
