"""Connections to PostgreSQL (psycopg 3): the writers' pool and the readers', sized and checked
from the settings, waits the server bounds, and the places requests queue for.

Size the pools against the server: workers x (2 x pool_size + max_overflow + 1) must stay
below max_connections (100 by default) minus what other clients and superusers need.
"""

from functools import partial
from typing import Any, Final

from sqlalchemy import (
    URL,
    Connection,
    Engine,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects.postgresql import insert as insert  # ON CONFLICT DO NOTHING for seeding
from sqlalchemy.orm import Session

from ...settings import Settings
from ..waits import Places

# Write transactions begun with this option wait at most this many ms for a lock.
LOCK_WAIT_MS: Final = "lock_wait_ms"


# The readers' pool: each statement commits on its own, with no BEGIN before it and no
# ROLLBACK after it, two round trips a read saves. At READ COMMITTED, PostgreSQL's default, a
# transaction gives a read nothing more: each statement sees what was committed when it began.
# A read that needs one snapshot across statements, or a server-side cursor (yield_per,
# stream), asks its connection for REPEATABLE READ.
READS: Final = {"isolation_level": "AUTOCOMMIT"}
# The writers' transactions begin READ WRITE: behind a pooler in transaction mode (PgBouncer),
# the server connection a reader left read-only may serve a writer next.
WRITES: Final = {"execution_options": {"postgresql_readonly": False}}


def create_db_engine(settings: Settings) -> Engine:
    url, options = engine_arguments(settings)
    return configure(create_engine(url, **options), settings)


def read_engine(engine: Engine, settings: Settings) -> Engine:
    """The engine of read sessions: a pool of its own, whose connections refuse writes."""
    _, options = engine_arguments(settings, reads=True)
    return configure(create_engine(engine.url, **options), settings, reads=True)


def engine_arguments(settings: Settings, *, reads: bool = False) -> tuple[URL, dict[str, Any]]:
    """The URL and options of the writers' engines, or with `reads` of the readers'."""
    options = {
        "pool_size": settings.pool_size,
        "max_overflow": settings.max_overflow,
        "pool_timeout": settings.pool_timeout,
        # A statement's values come from request bodies: errors, and so logs, never show them.
        "hide_parameters": True,
        "pool_pre_ping": settings.pool_pre_ping,
        "pool_recycle": settings.pool_recycle_s,
        # A server that accepts the connection and never answers must not hold it forever.
        "connect_args": {"connect_timeout": settings.connect_timeout_s},
    }
    if reads:
        # Reads hold at most pool_size connections, their places; one more serves the
        # readiness probe, which takes none.
        options |= READS | {"max_overflow": min(settings.max_overflow, 1)}
    else:
        options |= WRITES
    return make_url(settings.database_url), options


def configure(engine: Engine, settings: Settings, *, reads: bool = False) -> Engine:
    """Bound what the server lets each statement wait for, and what a write transaction waits
    for locks; make the readers' connections refuse writes."""
    event.listen(engine, "connect", partial(_configure_connection, settings, reads))
    if not reads:  # reads begin no transaction, and never wait for a lock
        event.listen(engine, "begin", _begin)
    return engine


def _configure_connection(
    settings: Settings, reads: bool, dbapi_connection: Any, _record: Any
) -> None:
    # Set once per connection, not per transaction: no round trip on the request path. Not
    # as startup options, which connection poolers such as PgBouncer refuse. Outside a
    # transaction, whose rollback would undo them.
    autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True
    cursor = dbapi_connection.cursor()
    cursor.execute(
        f"SET lock_timeout = {settings.database_timeout_ms:d};"
        f"SET statement_timeout = {settings.statement_timeout_ms:d}"
        + (";SET default_transaction_read_only = on" if reads else "")
    )
    cursor.close()
    dbapi_connection.autocommit = autocommit


def _begin(connection: Connection) -> None:
    if (wait_ms := connection.get_execution_options().get(LOCK_WAIT_MS)) is not None:
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {wait_ms:d}")


def lock_wait(seconds: float) -> dict[str, Any]:
    """The execution options of a write transaction that waits at most `seconds` for a lock
    (the begin hook below lowers the connection's lock_timeout to it, when it is lower)."""
    return {LOCK_WAIT_MS: max(1, round(seconds * 1000))}  # lock_timeout 0 waits for ever


def begin_without_waiting(session: Session) -> bool:
    """Never called here: writes begin on the event loop only where reads run there, and on
    PostgreSQL every statement is a round trip to the server that may wait for a row lock."""
    return False


def unwritable(url: URL) -> str | None:
    """Nothing to check here: a server that cannot write fails the write itself."""
    return None


def limiters(settings: Settings) -> tuple[Places, Places, Places]:
    """Places for (writers, readers, slow services' calls): pool_size each for writers and
    readers, apart, so writers that wait for a lock never hold up reads (threads beyond that
    only contend for the interpreter, and ran creates slower than fewer did). Slow
    services' calls hold at most all but two of either, which the others' calls keep."""
    slow = Places(max(1, settings.pool_size - 2))
    return Places(settings.pool_size), Places(settings.pool_size), slow
