"""The engine behind migrations and the seed: one of their own, disposed once they ran."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from ..settings import Settings
from .dialect import create_db_engine

T = TypeVar("T")


def run_on_connection(settings: Settings, work: Callable[[Connection], T]) -> T:
    """`work(connection)` on an engine of its own, disposed afterwards: how migrations and the
    seed run."""
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            return work(connection)
    finally:
        engine.dispose()
