"""What PostgreSQL's errors mean: a constraint a write broke, a database that failed rather
than a statement it refused, a write that met a concurrent one."""

from sqlalchemy import (
    Constraint,
    MetaData,
)
from sqlalchemy.dialects.postgresql import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

# serialization_failure, deadlock_detected: the server rolled the transaction back because
# it met a concurrent one; run again, it finds the other's result.
_CONFLICTS = frozenset({"40001", "40P01"})


def conflicted(error: Exception) -> bool:
    """Whether a write failed only because a concurrent one changed what it works on: the
    server says so, or the ORM found rows it changes already changed (StaleDataError)."""
    if isinstance(error, StaleDataError):
        return True
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in _CONFLICTS


def violated_constraints(error: IntegrityError, metadata: MetaData) -> list[Constraint]:
    """The constraint a write broke, by the name the server reports."""
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    constraints = (c for table in metadata.tables.values() for c in table.constraints)
    return [constraint for constraint in constraints if name and constraint.name == name]


def unavailable(error: OperationalError) -> bool:
    """Whether the database, not the code, failed: psycopg raises OperationalError only for
    the connection and the server."""
    return True
