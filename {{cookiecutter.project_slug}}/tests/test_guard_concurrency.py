"""More concurrent writers than the server has threads: none stalls, none fails, none is lost.

A request that holds the database's write lock (or a pooled connection) while it waits for a
worker thread stalls everyone behind it until the lock's busy timeout (or the pool timeout)
gives up, and they answer 503 or 500. Writers must queue before they take a thread, and hold
the lock only inside it. And a write that waits for another process must wait in a thread:
on the event loop it would stop every other request with it.
"""

import asyncio
import contextlib
import time
from collections import Counter
from typing import Any

import httpx2
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from {{ cookiecutter.package_name }}.models import Task, User
from {{ cookiecutter.package_name }}.settings import Settings

from tests.database import write_lock_held_elsewhere
from tests.server import serving

WRITERS = 100  # more than anyio's 40 worker threads
WRITES_EACH = 3
# Far below the busy and pool timeouts (5 s, 30 s) a stalled request waits for; the client
# gives up on a request after PATIENCE_S.
PROMPT_S = 3
PATIENCE_S = 10
# What a liveness probe on loopback may take while a write waits for another process.
ANSWER_S = 1


Outcome = tuple[str, int, float, str]


async def drive(server_url: str) -> list[Outcome]:
    limits = httpx2.Limits(max_connections=WRITERS)
    async with httpx2.AsyncClient(base_url=server_url, timeout=PATIENCE_S, limits=limits) as http:
        owner = (await http.post("/users", json={"email": "o@example.com", "name": "O"})).json()
        body = {"name": "Load", "owner_id": owner["id"]}
        project = (await http.post("/projects", json=body)).json()
        tag = (await http.post("/tags", json={"name": "load"})).json()

        async def write(path: str, body: dict[str, Any]) -> Outcome:
            began = time.monotonic()
            try:
                response = await http.post(path, json=body)
            except httpx2.TransportError as exc:  # the server dropped the connection
                return path, 0, time.monotonic() - began, repr(exc)
            return path, response.status_code, time.monotonic() - began, response.text[:120]

        async def writer(number: int) -> list[Outcome]:
            outcomes = []
            for i in range(WRITES_EACH):
                if (number + i) % 2:  # reads the tag, then writes
                    title = f"t{number}-{i}"
                    task = {"title": title, "project_id": project["id"], "tag_ids": [tag["id"]]}
                    outcomes.append(await write("/tasks", task))
                else:
                    user = {"email": f"w{number}-{i}@example.com", "name": "Writer"}
                    outcomes.append(await write("/users", user))
            return outcomes

        batches = await asyncio.gather(*(writer(n) for n in range(WRITERS)))
    return [outcome for batch in batches for outcome in batch]


def test_concurrent_writers_neither_stall_nor_fail(app: FastAPI, fresh_engine: Engine) -> None:
    with serving(app) as server_url:
        outcomes = asyncio.run(drive(server_url))

    statuses = Counter(status for _, status, _, _ in outcomes)
    slow = sorted((seconds for _, _, seconds, _ in outcomes if seconds > PROMPT_S), reverse=True)
    failures = [f"{path} {status} {text}" for path, status, _, text in outcomes if status != 201]
    assert not slow, (
        f"{len(slow)} of {len(outcomes)} writes from {WRITERS} concurrent clients stalled "
        f"(slowest {slow[0]:.1f} s, statuses {dict(statuses)}): a request holds the write lock "
        "or a pooled connection while it waits for a worker thread. Queue writers before they "
        "take a thread and commit in the same thread (Database.write)"
    )
    assert not failures, (
        f"{len(failures)} of {len(outcomes)} concurrent writes failed {dict(statuses)}: "
        + "; ".join(failures[:5])
    )
    with fresh_engine.connect() as connection:
        stored = (connection.scalar(select(func.count()).select_from(User)) or 0) - 1
        stored += connection.scalar(select(func.count()).select_from(Task)) or 0
    assert stored == statuses[201], (
        f"{statuses[201]} writes answered 201 but {stored} rows were stored"
    )


async def write_behind_a_lock(server_url: str, settings: Settings) -> tuple[bool, float, str]:
    """While another process holds the lock, start a write, then time a liveness probe."""
    async with httpx2.AsyncClient(base_url=server_url, timeout=PATIENCE_S) as http:
        body = {"email": "waits@example.com", "name": "Waits"}
        with write_lock_held_elsewhere(settings.database_url, User.__tablename__):
            write = asyncio.create_task(http.post("/users", json=body))
            await asyncio.sleep(0.3)
            began = time.monotonic()
            with contextlib.suppress(httpx2.TimeoutException):  # the loop waits for the lock
                await http.get("/healthz", timeout=PROMPT_S)
            answered_after = time.monotonic() - began
            waited = not write.done()
        response = await write
        return waited, answered_after, f"{response.status_code} {response.text[:200]}"


def test_a_write_behind_another_process_waits_for_its_lock(
    app: FastAPI, settings: Settings
) -> None:
    with serving(app) as server_url:
        waited, _, answer = asyncio.run(write_behind_a_lock(server_url, settings))
    assert answer.startswith("201 "), (
        f"a write that met a lock held elsewhere answered {answer}: it must wait for the lock "
        "(up to the busy or lock timeout), not give up at once"
    )
    assert waited, "the write did not wait for the lock held elsewhere: the test holds no lock"


def test_the_server_serves_while_a_write_waits_for_another_process(
    app: FastAPI, settings: Settings
) -> None:
    with serving(app) as server_url:
        waited, answered_after, _ = asyncio.run(write_behind_a_lock(server_url, settings))
    assert waited, "the write did not wait for the lock held elsewhere, so nothing was measured"
    assert answered_after < ANSWER_S, (
        f"/healthz took {answered_after:.1f} s while a write waited for another process's lock: "
        "the write waits on the event loop and stops every request with it. Wait in a worker "
        "thread (db/dialect/connections.py begin_without_waiting)"
    )
