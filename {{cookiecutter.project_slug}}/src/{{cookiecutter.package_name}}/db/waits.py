"""One deadline per request for everything it waits for at the database.

A request's turn among the writers or readers, another worker's writer, a lock: each
wait takes what is left of DATABASE_TIMEOUT_MS, counted from the request's arrival (which the
request middleware records), so a queue of waits cannot add up to more. A wait that runs out
raises SQLAlchemy's TimeoutError, which errors.py answers with 503 and Retry-After.
"""

import time
from contextvars import ContextVar
from typing import Protocol

from anyio import WouldBlock, move_on_after
from anyio.lowlevel import cancel_shielded_checkpoint
from sqlalchemy.exc import TimeoutError as DatabaseTimeout

# When the request being served arrived (time.monotonic()); None outside a request.
ARRIVED: ContextVar[float | None] = ContextVar("arrived", default=None)


class Place(Protocol):
    """A place to wait for: anyio's CapacityLimiter, or the dialect's queue of writers."""

    def acquire_nowait(self) -> None: ...  # anyio's WouldBlock when it is taken

    async def acquire(self) -> None: ...

    def release(self) -> None: ...


def remaining(timeout_s: float) -> float:
    """Seconds left of the request's timeout_s (all of it outside a request)."""
    arrived = ARRIVED.get()
    if arrived is None:
        return timeout_s
    return max(0.0, arrived + timeout_s - time.monotonic())


class Turn:
    """A place held for the block: taken at once when it is free, else waited for as long as
    the request's timeout_s leaves; DatabaseTimeout if it is not free by then."""

    def __init__(self, place: Place, timeout_s: float) -> None:
        self.place = place
        self.timeout_s = timeout_s

    async def __aenter__(self) -> None:
        try:
            self.place.acquire_nowait()
        except WouldBlock:
            with move_on_after(remaining(self.timeout_s)):
                await self.place.acquire()
                return
            raise DatabaseTimeout(
                f"no turn at the database within {self.timeout_s:g} s of the request"
            ) from None
        # Taken at once: let requests that came first run before this one goes on.
        await cancel_shielded_checkpoint()

    async def __aexit__(self, *_: object) -> None:
        self.place.release()
