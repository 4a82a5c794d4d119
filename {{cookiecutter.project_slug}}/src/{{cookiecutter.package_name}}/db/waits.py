"""One deadline per request for everything it waits for at the database.

A request's turn among the writers or readers, another worker's writer, a lock: each wait
ends at the request's deadline, DATABASE_TIMEOUT_MS after its arrival (which the request
middleware records), so a queue of waits cannot add up to more. A wait that runs out raises
SQLAlchemy's TimeoutError, which handlers.py answers with 503 and Retry-After.
"""

import asyncio
import time
from collections import deque
from contextvars import ContextVar
from typing import Final, Protocol

from sqlalchemy.exc import TimeoutError as DatabaseTimeout

# When the request being served arrived (time.monotonic()); None outside a request.
ARRIVED: ContextVar[float | None] = ContextVar("arrived", default=None)


def deadline(timeout_s: float) -> float:
    """When the request's timeout_s runs out (time.monotonic(); from now outside a request)."""
    arrived = ARRIVED.get()
    return (time.monotonic() if arrived is None else arrived) + timeout_s


def remaining(timeout_s: float) -> float:
    """Seconds left of the request's timeout_s."""
    return max(0.0, deadline(timeout_s) - time.monotonic())


class Place(Protocol):
    """Where a request waits its turn: Places, or a dialect's queue of writers."""

    async def acquire(self, deadline: float) -> None: ...  # DatabaseTimeout past the deadline

    def release(self) -> None: ...


class _NoWait:
    """The place of work that waits for no one: taken at once."""

    async def acquire(self, deadline: float) -> None:
        return None

    def release(self) -> None:
        return None


# The readers' place where reads wait for no one (a dialect's whose reads never wait for
# writers): they take none, and run on the event loop, as do writes that hold the lock.
NO_WAIT: Final[Place] = _NoWait()


class Places:
    """`size` places, handed over first come first served; a request waits for one until its
    deadline.

    Requests queue in the order they arrived, and each has the same timeout from its arrival,
    so the first in the queue runs out first: one timer, for the head of the queue, ends every
    wait that runs out. (A timer for each waiter cost each request tens of microseconds once
    hundreds waited.) asyncio's own clock is time.monotonic(), as the deadlines are.
    """

    def __init__(self, size: int) -> None:
        self._free = size
        self._queue: deque[tuple[float, asyncio.Future[None]]] = deque()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self, deadline: float) -> None:
        self._drop_done()
        if self._free and not self._queue:
            self._free -= 1
            try:  # taken at once: still let the requests that came first go on before this one
                await asyncio.sleep(0)
            except BaseException:
                self.release()
                raise
            return
        waiter = asyncio.get_running_loop().create_future()
        self._queue.append((deadline, waiter))
        if self._timer is None:
            self._expire_later()
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self.release()  # handed a place just as it was cancelled: hand it on
            raise

    def release(self) -> None:
        self._drop_done()
        if self._queue:
            self._queue.popleft()[1].set_result(None)  # the place goes straight to it
        else:
            self._free += 1

    def _drop_done(self) -> None:
        while self._queue and self._queue[0][1].done():  # cancelled, or timed out
            self._queue.popleft()

    def _expire_later(self) -> None:
        self._timer = asyncio.get_running_loop().call_at(self._queue[0][0], self._expire)

    def _expire(self) -> None:
        self._timer = None
        now = time.monotonic()
        while self._queue and self._queue[0][0] <= now:
            _, waiter = self._queue.popleft()
            if not waiter.done():
                waiter.set_exception(DatabaseTimeout("no turn at the database by the deadline"))
        self._drop_done()
        if self._queue:
            self._expire_later()


class Turn:
    """A place held for the block, waited for until the request's deadline (None: the block
    needs none)."""

    def __init__(self, place: Place | None, timeout_s: float) -> None:
        self.place = place
        self.timeout_s = timeout_s

    async def __aenter__(self) -> None:
        if self.place is not None:
            await self.place.acquire(deadline(self.timeout_s))

    async def __aexit__(self, *_: object) -> None:
        if self.place is not None:
            self.place.release()
