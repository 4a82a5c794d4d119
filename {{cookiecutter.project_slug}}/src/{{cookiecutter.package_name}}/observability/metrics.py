"""What Prometheus reads at /metrics: requests by route and status and their durations, the
connections the pools have out, and the requests waiting for their turn at the database.

With several workers (WORKERS), each writes its values to files in the folder `serve` gives
them (workers.py), and /metrics, whichever worker answers it, sums them all. A gauge counts
the live workers' values only: a worker that stops lets go of its own (`mark_process_dead`),
and one that crashed is forgotten when `serve` starts again.

Requests wait for a connection in the event loop, for a place among the writers or readers
(db/session.py), never in the pool: the places are as many as the connections. So the waits
are counted at the places: how many wait, how long, and how many wait until their deadline.
"""

import atexit
import dataclasses
import os
import time
from typing import Any

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.exc import TimeoutError as DatabaseTimeout
from sqlalchemy.pool import Pool

from ..db.session import Database
from ..db.waits import NO_WAIT, Place
from .workers import FOLDER

REQUESTS = Counter("http_server_requests", "Requests answered", ["method", "route", "status"])
DURATION = Histogram(
    "http_server_request_duration_seconds",
    "Time from a request's arrival to the end of its response",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_USE = Gauge(
    "db_pool_connections_in_use", "Connections out of the pools", multiprocess_mode="livesum"
)
WAITING = Gauge(
    "db_waiting_requests",
    "Requests waiting for their turn at the database",
    ["place"],
    multiprocess_mode="livesum",
)
WAITED = Histogram(
    "db_wait_duration_seconds",
    "Time a request waited for its turn at the database",
    ["place"],
    buckets=(0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
TIMEOUTS = Counter(
    "db_wait_timeouts", "Waits for a turn at the database that ran out (503)", ["place"]
)

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Every metric, in Prometheus's text format: from all the workers where they share them."""
    registry = REGISTRY
    if os.environ.get(FOLDER):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def count_this_process() -> None:
    """Count the connections every pool of the process has out, and let go of the process's
    gauges as it stops."""
    for name, change in (("checkout", _out), ("checkin", _back)):
        if not event.contains(Pool, name, change):
            event.listen(Pool, name, change)
    if os.environ.get(FOLDER):
        atexit.register(multiprocess.mark_process_dead, os.getpid())


def _out(*_: Any) -> None:
    IN_USE.inc()


def _back(*_: Any) -> None:
    IN_USE.dec()


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
