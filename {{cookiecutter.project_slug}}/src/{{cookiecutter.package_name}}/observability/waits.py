"""The waits for a turn at the database, counted at /metrics.

Requests wait for a connection in the event loop, for a place among the writers or readers
(db/session.py), never in the pool: the places are as many as the connections. So the waits
are counted at the places: how many wait, how long, and how many wait until their deadline.
"""

import dataclasses
import time

from sqlalchemy.exc import TimeoutError as DatabaseTimeout

from ..db.session import Database
from ..db.waits import NO_WAIT, Place
from .metrics import TIMEOUTS, WAITED, WAITING


class Measured:
    """A place whose waits are counted."""

    def __init__(self, place: Place, name: str) -> None:
        self.place = place
        self.waiting = WAITING.labels(name)
        self.waited = WAITED.labels(name)
        self.timeouts = TIMEOUTS.labels(name)

    async def acquire(self, deadline: float) -> None:
        self.waiting.inc()
        began = time.monotonic()
        try:
            await self.place.acquire(deadline)
        except DatabaseTimeout:
            self.timeouts.inc()
            raise
        finally:
            self.waiting.dec()
            self.waited.observe(time.monotonic() - began)

    def release(self) -> None:
        self.place.release()


def measured(database: Database) -> Database:
    """The database with the waits at its places counted (reads that take no place, where
    they wait for no one, have none to count)."""

    def counted(place: Place, name: str) -> Place:
        return place if place is NO_WAIT else Measured(place, name)

    writers, readers = counted(database.writers, "writers"), counted(database.readers, "readers")
    return dataclasses.replace(database, writers=writers, readers=readers)
