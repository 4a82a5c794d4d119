"""What the service does differently on PostgreSQL, one job per module: its connections and
pool (connections.py), what its errors mean (failures.py) and migrations (migrations.py). The
rest of the service imports them from here, what db/dialects.py says every database's dialect
provides."""

from sqlalchemy.dialects.postgresql import insert  # ON CONFLICT DO NOTHING for seeding

from .connections import (
    LOCK_WAIT_MS,
    begin_without_waiting,
    configure,
    create_db_engine,
    engine_arguments,
    limiters,
    lock_wait,
    read_engine,
    unwritable,
)
from .failures import conflicted, unavailable, violated_constraints
from .migrations import (
    MIGRATION_OPTIONS,
    migration_timeout,
    migration_transaction,
    scratch_database,
)

__all__ = [
    "LOCK_WAIT_MS",
    "MIGRATION_OPTIONS",
    "begin_without_waiting",
    "configure",
    "conflicted",
    "create_db_engine",
    "engine_arguments",
    "insert",
    "limiters",
    "lock_wait",
    "migration_timeout",
    "migration_transaction",
    "read_engine",
    "scratch_database",
    "unavailable",
    "unwritable",
    "violated_constraints",
]
