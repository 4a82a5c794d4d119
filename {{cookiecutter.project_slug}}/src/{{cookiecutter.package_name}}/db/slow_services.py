"""Where a service runs: on the event loop, the fastest place for database work, or, once its
calls show it slow, off it: a sync service in a worker thread, an async one's database calls
in the driver's thread."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

from ..settings import Settings
from .waits import Places

log = logging.getLogger(__name__)

# The longest a service's unit of work may hold the event loop: a service whose call took
# longer runs off the loop from then on. Database work alone takes far less.
LOOP_BUDGET_S: Final = 0.02
# How many calls in a row over that budget make a service slow: one may only have met a
# collection of garbage, or a machine that ran something else meanwhile.
STRIKES: Final = 2


@dataclass(slots=True)
class Held:
    """How long a service running on the event loop has held it in the driver's calls."""

    seconds: float = 0.0


_running: ContextVar[Held | None] = ContextVar("running_on_the_loop", default=None)


def held_on_the_loop() -> Held | None:
    """The running service's Held if it runs on the event loop: the driver's calls may then
    be made right there, and count in it (db/dialect.py); None anywhere else."""
    return _running.get()


def off_the_loop() -> AbstractContextManager[None]:
    """Make the block's driver calls off the event loop, in a task that a service on the
    loop started too."""
    return _running_as(None)


@contextmanager
def _running_as(held: Held | None) -> Iterator[None]:
    token = _running.set(held)
    try:
        yield
    finally:
        _running.reset(token)


class SlowServices:
    """The services that run off the event loop. Each runs on it until STRIKES calls of it in
    a row hold the loop longer than LOOP_BUDGET_S (a long query, a commit that waits for the
    disk, in a sync service a call to another service): it holds up the worker's other
    requests that often, not at every call.

    Reads of slow services take places, one per pooled connection but the two that work on
    the event loop and a writer may need: with three connections or more, the loop never
    waits for one. A service is known by its code, so a closure made per call is one."""

    def __init__(self, settings: Settings) -> None:
        self.places = Places(max(1, settings.pool_size + settings.max_overflow - 2))
        self._known: set[object] = set()
        self._strikes: dict[object, int] = {}  # by service: its calls in a row over budget

    def __contains__(self, service: Callable[..., object]) -> bool:
        return _key(service) in self._known

    @contextmanager
    def on_the_loop(
        self, service: Callable[..., object], *, suspends: bool = False
    ) -> Iterator[None]:
        """Run the block, a call of `service`, on the event loop, and count how long it held
        the loop: the block's whole time, or, for a block that suspends (a coroutine, which
        may wait for a connection meanwhile), the time of the driver's calls it made there."""
        held = Held()
        began = time.perf_counter()
        try:
            with _running_as(held):
                yield
        finally:
            self._count(service, held.seconds if suspends else time.perf_counter() - began)

    def _count(self, service: Callable[..., object], held: float) -> None:
        key = _key(service)
        if held <= LOOP_BUDGET_S:
            self._strikes.pop(key, None)
        elif (strikes := self._strikes.get(key, 0) + 1) < STRIKES:
            self._strikes[key] = strikes
        else:
            del self._strikes[key]
            self._known.add(key)
            log.warning(
                "%s.%s held the event loop for %.0f ms: from now on it runs off the loop",
                service.__module__,
                getattr(service, "__qualname__", service),
                held * 1000,
            )


def _key(service: Callable[..., object]) -> object:
    return getattr(service, "__code__", service)
