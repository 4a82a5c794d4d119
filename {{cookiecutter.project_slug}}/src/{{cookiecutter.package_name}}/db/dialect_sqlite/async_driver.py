"""The async engine, on aiosqlite, whose calls are made right on the event loop while a
service runs there."""

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from ...settings import Settings
from ..slow_services import held_on_the_loop
from .connections import READ_ONLY, configure, engine_arguments
from .files import database_file


def create_async_db_engine(settings: Settings) -> AsyncEngine:
    url, options = engine_arguments(settings)
    # DATABASE_URL names the database alike for both session styles.
    engine = create_async_engine(url.set(drivername="sqlite+aiosqlite"), **options)
    configure(engine.sync_engine, settings)
    if database_file(settings):  # in memory: one thread only
        event.listen(engine.sync_engine, "connect", _calls_on_the_loop)
    return engine


def async_read_engine(engine: AsyncEngine, settings: Settings) -> AsyncEngine:
    """The engine of read sessions: the writers' pool, its connections made to refuse writes
    (query_only) and to begin no transaction while they read."""
    return engine.execution_options(**{READ_ONLY: True})


def _calls_on_the_loop(_: Any, record: ConnectionPoolEntry) -> None:
    """Make the async driver's calls right on the event loop while a service runs there
    (db/slow_services.py). aiosqlite makes each call in a thread of the connection's own and
    hands its result back: two thread switches per statement, which cost more than the
    statement and, under load, wait for the interpreter's lock. In WAL mode a read never
    waits for another process, nor does a write that holds the lock (db/session.py begins
    it so); whatever may wait runs in the driver's thread."""
    driver: Any = record.driver_connection
    in_its_thread = driver._execute  # what every call of the connection and its cursors awaits

    async def execute(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if (held := held_on_the_loop()) is None:
            return await in_its_thread(function, *args, **kwargs)
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            held.seconds += time.perf_counter() - began

    driver._execute = execute
