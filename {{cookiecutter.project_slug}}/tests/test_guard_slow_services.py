"""A slow service holds up no other request of its worker.

A service is where the service's logic goes, and some of it is slow: a long query, a commit
that waits for the disk, in a sync service a call to another service. A service runs where
every service runs (the event loop, where reads never wait for writers) until its calls
show it slow (which they cannot help: they hold up the loop, or a place among the readers or
writers, STRIKES times); from then on it runs apart, and requests that need none of it
(/healthz, a read of another resource) answer as promptly as ever while it runs: the loop
never waits for it, nor for a pooled connection or a place its calls hold.
"""

import asyncio
import logging
import math
import time
from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.api.dependencies import DatabaseDep
from {{ cookiecutter.package_name }}.db.slow_services import STRIKES
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.database import SLEEP, sleep_in_sql
from tests.server import serving, timed
from tests.sessions import as_service

SLOW_S = 0.3
PROMPT_S = 0.15  # what 99 in 100 requests that need nothing slow take meanwhile
PROBES = ("/healthz", "/users")
SAMPLES = 100  # enough that the 99th percentile leaves out the slowest
PROBING_S = 15  # the longest the probes go on: held up, each may take seconds


@pytest.fixture(autouse=True)
def sleep_in_each_connection() -> Iterator[None]:
    with sleep_in_sql():
        yield


def slow_query(session: Session, seconds: float) -> None:
    """A query that takes `seconds` and leaves the cores to the rest, as one that waits for
    the disk or a lock does."""
    session.execute(SLEEP, {"seconds": seconds})


slow_service = as_service(slow_query)


def app_with_slow_routes(settings: Settings) -> FastAPI:
    app = app_of(settings)

    @app.get("/slow-read")
    async def read_slowly(database: DatabaseDep) -> None:
        await database.read(slow_service, SLOW_S)

    @app.post("/slow-write")
    async def write_slowly(database: DatabaseDep) -> None:
        await database.write(slow_service, SLOW_S)

    return app


async def probed_beside(
    server_url: str, method: str, path: str, calls: int
) -> tuple[list[int], dict[str, list[float]]]:
    """The statuses of the first slow requests, one after another, then of `calls` concurrent
    ones, and the seconds each probe took, one after another, while those ran."""
    async with httpx2.AsyncClient(base_url=server_url, timeout=PROBING_S) as http:
        # STRIKES calls in a row show it slow (db/slow_services.py).
        first = [await http.request(method, path) for _ in range(STRIKES)]
        slow = [asyncio.create_task(http.request(method, path)) for _ in range(calls)]
        seconds: dict[str, list[float]] = {probe: [] for probe in PROBES}
        deadline = time.monotonic() + PROBING_S
        while (
            not all(task.done() for task in slow) or len(seconds["/users"]) < SAMPLES
        ) and time.monotonic() < deadline:
            for probe in PROBES:
                seconds[probe].append((await timed(http, "GET", probe)).seconds)
        statuses = [response.status_code for response in [*first, *await asyncio.gather(*slow)]]
    return statuses, seconds


def p99(seconds: list[float]) -> float:
    return sorted(seconds)[math.ceil(0.99 * len(seconds)) - 1]


@pytest.mark.parametrize(
    ("method", "path", "calls"), [("GET", "/slow-read", 10), ("POST", "/slow-write", 4)]
)
def test_a_slow_service_holds_up_no_other_request(
    settings: Settings, method: str, path: str, calls: int, caplog: pytest.LogCaptureFixture
) -> None:
    # Fewer connections than slow calls, as under a heavier load.
    settings = settings.model_copy(update={"pool_size": 5, "max_overflow": 0})
    with caplog.at_level(logging.WARNING), serving(app_with_slow_routes(settings)) as server_url:
        statuses, seconds = asyncio.run(probed_beside(server_url, method, path, calls))
    assert set(statuses) == {200}, statuses
    for probe, taken in seconds.items():
        held_up = (
            f"GET {probe} beside {calls} calls of a service that waits {SLOW_S} s ({method} "
            f"{path}): 99th percentile {p99(taken):.3f} s of {len(taken)}, slowest "
            f"{max(taken):.3f} s: the slow service holds up the others; once its calls took "
            "long, it must run apart: off the event loop, each call holding one of the places "
            "kept for slow calls, never the loop's pooled connection nor the others' last "
            "places (db/slow_services.py)"
        )
        assert p99(taken) < PROMPT_S, held_up
        assert max(taken) < SLOW_S, held_up
    warnings = [record.getMessage() for record in caplog.records]
    apart = [message for message in warnings if "slow_query" in message and "now on" in message]
    assert len(apart) == 1, f"not one warning that slow_query runs apart: {warnings}"
