"""Where a service runs: where every service runs (the event loop, where the dialect's reads
never wait for writers: the fastest place for database work), or, once its calls show it
slow, apart: off the loop ({% if cookiecutter.session_style == "async" %}its database calls in the driver's thread, where the driver has one{% else %}in a worker thread{% endif %}),
its calls in places of their own."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final

from .waits import Places

log = logging.getLogger(__name__)

# The longest a service's unit of work may hold the event loop: a service whose call took
# longer runs off the loop from then on. Database work alone takes far less.
LOOP_BUDGET_S: Final = 0.02
# Where no database work runs on the loop, the longest a call may hold its place (and so
# a pooled connection) before its service's calls take places of their own: more than the
# loop's, as a place is held across round trips to the server and turns at the interpreter.
PLACE_BUDGET_S: Final = 0.1
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
    be made right there, and count in it (db/dialect/connections.py); None anywhere else."""
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
    """The services whose calls run apart from the others'. A service runs where every
    service runs until STRIKES calls of it in a row hold that place too long: the event loop
    past LOOP_BUDGET_S, where database work runs on it (on_the_loop), or a place among the
    readers or writers past PLACE_BUDGET_S, where none does (timed). It holds up the others
    that often, not at every call. From then on it is slow: it runs off the loop, and each
    of its calls first takes one of `places` (place_for), fewer than the connections the
    others need, so however many of its calls wait for something slow, the other services'
    calls find places and connections free (a bulkhead). Its calls that were already waiting
    for a place among the readers or writers when it became slow take none of those. A
    service is known by its code, so a closure made per call is one."""

    def __init__(self, places: Places, *, loop_first: bool) -> None:
        self.places = places
        self._loop_first = loop_first  # services run on the event loop until shown slow
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
            seconds = held.seconds if suspends else time.perf_counter() - began
            self._count(service, seconds, LOOP_BUDGET_S, "the event loop")

    def place_for(self, service: Callable[..., object]) -> Places | None:
        """Where a call of `service` waits its turn before its place among the readers or
        writers: the slow services' places if it is one of them, else nowhere (None)."""
        return self.places if service in self else None

    @contextmanager
    def timed(self, service: Callable[..., object]) -> Iterator[None]:
        """The block, a call of `service` that holds its place; where services do not run on
        the event loop first, its time counts."""
        began = time.perf_counter()
        try:
            yield
        finally:
            if not self._loop_first:
                seconds = time.perf_counter() - began
                self._count(service, seconds, PLACE_BUDGET_S, "its place")

    def _count(
        self, service: Callable[..., object], held: float, budget: float, where: str
    ) -> None:
        key = _key(service)
        if key in self._known:
            return
        if held <= budget:
            self._strikes.pop(key, None)
        elif (strikes := self._strikes.get(key, 0) + 1) < STRIKES:
            self._strikes[key] = strikes
        else:
            del self._strikes[key]
            self._known.add(key)
            log.warning(
                "%s.%s held %s for %.0f ms: from now on it runs apart",
                service.__module__,
                getattr(service, "__qualname__", service),
                where,
                held * 1000,
            )


def _key(service: Callable[..., object]) -> object:
    return getattr(service, "__code__", service)
