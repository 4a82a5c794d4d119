"""Test code in the service's own sessions, whatever their style (this render's: sync).

Guards that check how the service's sessions behave hand plain functions of a `Session` to
these helpers, so the same guard serves the sync and the async render.
"""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.settings import Settings

T = TypeVar("T")


def in_session(settings: Settings, work: Callable[[Session], T], *, read: bool = False) -> T:
    """`work(session)` in a read session or in the unit of work (committed if it returns),
    made by a Database of its own."""
    database = Database.from_settings(settings)
    try:
        with database.read_sessions() if read else database.unit_of_work() as session:
            return work(session)
    finally:
        database.dispose()


def as_service(work: Callable[..., T]) -> Callable[..., T]:
    """`work(session, ...)` as a service `Database.write` and `Database.read` accept."""
    return work


def engine_of(database: Database) -> Engine:
    """The database's engine, its writers', as event listeners take it."""
    return database.engine


def read_engine_of(database: Database) -> Engine:
    """The engine of the database's read sessions, as event listeners take it."""
    return database.read_engine
