"""A call that holds a worker's event loop is named in a warning: while it runs, no other
request of the worker moves, not even /healthz. A loop kept busy by many short calls is not
one call held up. And requests on a kept-alive connection wait for nothing but themselves.
"""

import asyncio
import logging
import time

import httpx2
import pytest
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.server import serving, timed

THRESHOLD_MS = 100
HELD_S = 0.3
# Short calls at once: the loop is late by a second, through no one call.
SHORT_S, BURST, BUSY_THRESHOLD_MS = 0.005, 200, 300


def app_that_holds_the_loop(settings: Settings, threshold_ms: int) -> FastAPI:
    app = app_of(settings.model_copy(update={"blocked_loop_warn_ms": threshold_ms}))
    app.state.longest_hold_s = 0.0

    @app.get("/hold")
    async def hold_the_loop(seconds: float) -> None:
        started = time.monotonic()
        time.sleep(seconds)  # the mistake the warning names: a blocking call in an async def
        held_s = time.monotonic() - started  # longer than asked on a loaded machine
        app.state.longest_hold_s = max(app.state.longest_hold_s, held_s)

    return app


def warnings_naming(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [record.getMessage() for record in caplog.records if name in record.getMessage()]


def test_a_call_that_holds_the_event_loop_is_named(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING),
        serving(app_that_holds_the_loop(settings, THRESHOLD_MS)) as url,
    ):
        assert httpx2.get(f"{url}/hold", params={"seconds": HELD_S}).status_code == 200
    named = warnings_naming(caplog, "hold_the_loop")
    assert len(named) == 1, (
        f"a call held the event loop {HELD_S} s: not named in one warning (loop_watch.py), "
        f"the warnings were {caplog.messages}"
    )


def test_a_busy_event_loop_names_no_call(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def burst(url: str) -> list[int]:
        async with httpx2.AsyncClient(base_url=url, timeout=30) as http:
            hold = [http.get("/hold", params={"seconds": SHORT_S}) for _ in range(BURST)]
            return [response.status_code for response in await asyncio.gather(*hold)]

    app = app_that_holds_the_loop(settings, BUSY_THRESHOLD_MS)
    with caplog.at_level(logging.WARNING), serving(app) as url:
        statuses = asyncio.run(burst(url))
    assert set(statuses) == {200}, statuses
    named = warnings_naming(caplog, "held the event loop")
    longest_ms = app.state.longest_hold_s * 1000
    # A call the machine stretched over the threshold did hold the loop that long.
    assert not named or longest_ms >= BUSY_THRESHOLD_MS, (
        "a busy loop was taken for one call holding it (loop_watch.py): a warning must name a "
        f"call that holds the loop, not whatever ran when it was late; {BURST} calls of "
        f"{SHORT_S} s each, the longest {longest_ms:.0f} ms, none over BLOCKED_LOOP_WARN_MS "
        f"({BUSY_THRESHOLD_MS} ms), were named: {named}"
    )


def test_a_kept_alive_connection_waits_for_no_delayed_ack(settings: Settings) -> None:
    async def one_after_another(url: str) -> list[float]:
        async with httpx2.AsyncClient(base_url=url) as http:
            return [(await timed(http, "GET", "/healthz")).seconds for _ in range(20)]

    # tests.server binds without IPPROTO_TCP, as uvicorn does for WORKERS > 1.
    with serving(app_of(settings)) as url:
        seconds = sorted(asyncio.run(one_after_another(url)))
    median = seconds[len(seconds) // 2]
    assert median < 0.02, (
        f"GET /healthz on one kept-alive connection took {median * 1000:.0f} ms (median of "
        "20): a response sent in two writes waits for the client's delayed ACK (40 ms) "
        "unless the connection sets TCP_NODELAY (TimedProtocol in limits.py)"
    )
