"""Faults answer in bounded time, with what the client needs to retry, and hold up nothing else.

A lock another process holds for long, an error nothing handled, a client that sends too
much or too slowly: each request still gets an answer within its bound (503 with
Retry-After within DATABASE_TIMEOUT_MS of its arrival; 413; 408), requests that do not need
what is stuck answer at once, and the service serves normally once the fault clears.
"""

import asyncio
import socket
import time
from collections import Counter
from collections.abc import Iterator

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from {{ cookiecutter.package_name }}.models import Tag
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.web import limits

from tests.apps import app_of
from tests.database import write_lock_held_elsewhere
from tests.server import PROMPT_S, SLACK_S, Answer, serving, timed

TIMEOUT_MS = 1000
WRITERS = 12  # more than the places for writers (POOL_SIZE), so some wait for a place
UNSTUCK = ("/users", "/readyz", "/tags")


async def behind_a_held_lock(
    server_url: str, settings: Settings
) -> tuple[list[Answer], list[Answer], Answer]:
    """Creates while another process holds the tags' write lock, reads meanwhile, and a
    create once it is let go."""
    async with httpx2.AsyncClient(base_url=server_url, timeout=30) as http:
        with write_lock_held_elsewhere(settings.database_url, Tag.__tablename__):
            creates = [
                asyncio.create_task(timed(http, "POST", "/tags", json={"name": f"stuck-{n}"}))
                for n in range(WRITERS)
            ]
            await asyncio.sleep(0.2)  # every create waits by now
            meanwhile = [await timed(http, "GET", path) for path in UNSTUCK]
            # Let go once the creates are late, so a test of a wait without a bound ends.
            await asyncio.wait(creates, timeout=TIMEOUT_MS / 1000 + SLACK_S)
        stuck = await asyncio.gather(*creates)
        after = await timed(http, "POST", "/tags", json={"name": "after"})
    return stuck, meanwhile, after


def test_a_held_lock_answers_503_in_time_and_holds_up_nothing_else(
    settings: Settings, fresh_engine: Engine
) -> None:
    settings = settings.model_copy(update={"database_timeout_ms": TIMEOUT_MS})
    with serving(app_of(settings)) as server_url:
        stuck, meanwhile, after = asyncio.run(behind_a_held_lock(server_url, settings))

    slowest = max(answer.seconds for answer in stuck)
    assert slowest < TIMEOUT_MS / 1000 + SLACK_S, (
        f"a create behind a lock held elsewhere answered after {slowest:.1f} s, not within "
        f"DATABASE_TIMEOUT_MS ({TIMEOUT_MS} ms) of its arrival: a wait (for a place among the "
        "writers, for the lock) is not bounded by the request's deadline (place in "
        "db/waits.py, lock_wait and the lock timeout in db/dialect/connections.py)"
    )
    statuses = Counter(answer.status for answer in stuck)
    assert statuses == {503: WRITERS}, (
        f"creates behind a lock held elsewhere answered {dict(statuses)}, not 503 each"
    )
    assert all(answer.retry_after for answer in stuck), (
        "a 503 without Retry-After: the client cannot tell when to try again (errors.py)"
    )
    for path, answer in zip(UNSTUCK, meanwhile, strict=True):
        assert answer.seconds < PROMPT_S, (
            f"GET {path} answered {answer.status} after {answer.seconds:.2f} s while writers "
            "waited for a lock: reads and readiness must not queue behind writers (limiters "
            "in db/dialect/connections.py, Database.ping)"
        )
        assert answer.status == 200, f"GET {path} answered {answer.status} meanwhile"
    assert after.status == 201, f"a create after the lock was let go answered {after.status}"
    with fresh_engine.connect() as connection:
        stored = connection.scalar(
            select(func.count()).select_from(Tag).where(Tag.name.like("stuck-%"))
        )
    assert stored == 0, f"{stored} creates answered 503 and were stored"


def test_an_unhandled_error_says_the_connection_closes(app: FastAPI) -> None:
    def fail() -> None:
        raise RuntimeError("the route failed (raised by the test)")

    app.add_api_route("/fail", fail)
    with serving(app) as server_url, httpx2.Client(base_url=server_url, timeout=10) as http:
        failed = http.get("/fail")
        try:  # on the same connection, unless the client was told it closes
            next_one: object = http.get("/healthz").status_code
        except httpx2.TransportError as error:
            next_one = error
    assert failed.status_code == 500
    assert failed.headers.get("connection") == "close", (
        "a 500 for an unhandled error did not say Connection: close, and the server closes "
        f"the connection after it: the client's next request on it got {next_one!r} "
        "(RequestContext in middleware.py)"
    )
    assert next_one == 200


def raw_exchange(server_url: str, sent: bytes, wait_s: float) -> bytes:
    """What the server answers, within wait_s, to bytes sent as they are (b"" if it closed
    the connection without a word; TimeoutError if it kept it open and silent)."""
    host, port = server_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait_s) as connection:
        connection.sendall(sent)
        return connection.recv(65536)


def test_a_body_too_large_is_refused_before_it_is_read(settings: Settings) -> None:
    settings = settings.model_copy(update={"max_body_bytes": 1000})
    head = b"POST /tags HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
    with serving(app_of(settings)) as server_url:
        try:  # the head announces 1001 bytes that never come
            announced = raw_exchange(server_url, head + b"Content-Length: 1001\r\n\r\n", 5)
        except TimeoutError:
            announced = b"(nothing within 5 s)"
        with httpx2.Client(base_url=server_url, timeout=10) as http:
            chunks = (b" " * 100 for _ in range(11))  # 1100 bytes, sent without a length
            streamed = http.post(
                "/tags", content=chunks, headers={"Content-Type": "application/json"}
            )
    assert announced.startswith(b"HTTP/1.1 413 "), (
        f"a request announcing a body over MAX_BODY_BYTES got {announced[:60]!r}, not 413 before "
        "the body was sent: refuse it from its Content-Length (BodyLimits in limits.py)"
    )
    assert streamed.status_code == 413, (
        f"a body over MAX_BODY_BYTES sent without a length answered {streamed.status_code}: count "
        "what is received (BodyLimits in limits.py)"
    )


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """HEADER_TIMEOUT_S and BODY_TIMEOUT_S of 0.5 s for the servers the test starts (the
    protocol reads them from the environment, as each worker process does)."""
    monkeypatch.setenv("HEADER_TIMEOUT_S", "0.5")
    monkeypatch.setenv("BODY_TIMEOUT_S", "0.5")
    limits._timeouts_s.cache_clear()
    yield 0.5
    limits._timeouts_s.cache_clear()


def test_a_body_that_does_not_arrive_is_408_in_time(app: FastAPI, short_deadlines: float) -> None:
    head = b"POST /tags HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
    with serving(app) as server_url:
        began = time.monotonic()
        try:  # 10 of 100 bytes, then nothing
            answered = raw_exchange(server_url, head + b'Content-Length: 100\r\n\r\n{"name": ', 5)
        except TimeoutError:
            answered = b"(nothing within 5 s)"
        seconds = time.monotonic() - began
    late = f"a body that stopped arriving got {answered[:60]!r} after {seconds:.1f} s, not 408 "
    late += f"after BODY_TIMEOUT_S ({short_deadlines} s): bound the wait for the body "
    late += "(TimedProtocol in limits.py)"
    assert answered.startswith(b"HTTP/1.1 408 "), late
    assert seconds < short_deadlines + SLACK_S, late


def test_a_head_that_does_not_arrive_closes_the_connection(
    app: FastAPI, short_deadlines: float
) -> None:
    with serving(app) as server_url:
        began = time.monotonic()
        try:
            answered = raw_exchange(server_url, b"GET /healthz HTTP/1.1\r\nHo", 5)
        except TimeoutError:
            answered = b"(the connection still open after 5 s)"
        seconds = time.monotonic() - began
    late = f"a request head that stopped arriving got {answered[:60]!r} after {seconds:.1f} s: "
    late += f"close the connection after HEADER_TIMEOUT_S ({short_deadlines} s) "
    late += "(TimedProtocol in limits.py)"
    assert answered == b"", late
    assert seconds < short_deadlines + SLACK_S, late
