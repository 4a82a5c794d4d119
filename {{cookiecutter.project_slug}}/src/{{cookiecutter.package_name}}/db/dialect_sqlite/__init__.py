"""What the service does differently on SQLite, one job per module: its connections
(connections.py), its files (files.py), writers taking turns (writers.py), what its errors
mean (failures.py) and migrations (migrations.py). The rest of the service imports them from
here, what db/dialects.py says every database's dialect provides."""

from sqlalchemy.dialects.sqlite import insert  # ON CONFLICT DO NOTHING for seeding

from .connections import (
    LOCK_WAIT_MS,
    begin_without_waiting,
    configure,
    create_db_engine,
    engine_arguments,
    lock_wait,
    read_engine,
)
from .failures import conflicted, unavailable, violated_constraints
from .files import database_file, scratch_database, unwritable, writers_lock
from .migrations import MIGRATION_OPTIONS, migration_timeout, migration_transaction
from .writers import limiters, locked_file

__all__ = [
    "LOCK_WAIT_MS",
    "MIGRATION_OPTIONS",
    "begin_without_waiting",
    "configure",
    "conflicted",
    "create_db_engine",
    "database_file",
    "engine_arguments",
    "insert",
    "limiters",
    "lock_wait",
    "locked_file",
    "migration_timeout",
    "migration_transaction",
    "read_engine",
    "scratch_database",
    "unavailable",
    "unwritable",
    "violated_constraints",
    "writers_lock",
]
