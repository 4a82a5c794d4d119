"""What Prometheus reads at /metrics: requests by route and status and their durations, the
connections the pools have out, and the requests waiting for their turn at the database.

With several workers (WORKERS), each writes its values to files in the folder `serve` gives
them (workers.py), and /metrics, whichever worker answers it, sums them all. A gauge counts
the live workers' values only: a worker that stops lets go of its own (pool.py), and `serve`
empties the folder as it starts.
"""

import os

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

{% if cookiecutter.auth == "password" -%}
from ..auth.access import PUBLIC
{% endif -%}
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

router = APIRouter({% if cookiecutter.auth == "password" %}dependencies=[PUBLIC]{% endif %})


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Every metric, in Prometheus's text format: from all the workers where they share them."""
    registry = REGISTRY
    if os.environ.get(FOLDER):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
