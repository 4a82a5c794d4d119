"""One deadline per request for everything it waits for at the database.

A request's turn among the writers or readers, another worker's writer, a lock: each
wait takes what is left of DATABASE_TIMEOUT_MS, counted from the request's arrival (which the
request middleware records), so a queue of waits cannot add up to more. A wait that runs out
raises SQLAlchemy's TimeoutError, which errors.py answers with 503 and Retry-After.
"""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Protocol

from anyio import move_on_after
from sqlalchemy.exc import TimeoutError as DatabaseTimeout

# When the request being served arrived (time.monotonic()); None outside a request.
ARRIVED: ContextVar[float | None] = ContextVar("arrived", default=None)


class Place(Protocol):
    """A place to wait for: anyio's CapacityLimiter, or the dialect's queue of writers."""

    async def acquire(self) -> None: ...

    def release(self) -> None: ...


def remaining(timeout_s: float) -> float:
    """Seconds left of the request's timeout_s (all of it outside a request)."""
    arrived = ARRIVED.get()
    if arrived is None:
        return timeout_s
    return max(0.0, arrived + timeout_s - time.monotonic())


@asynccontextmanager
async def place(waited_for: Place, timeout_s: float) -> AsyncIterator[None]:
    """Hold a place for the block, once it is free within what is left of the request's
    timeout_s; DatabaseTimeout if it is not."""
    held = False
    with move_on_after(remaining(timeout_s)):
        await waited_for.acquire()
        held = True
    if not held:
        raise DatabaseTimeout(f"no turn at the database within {timeout_s:g} s of the request")
    try:
        yield
    finally:
        waited_for.release()
