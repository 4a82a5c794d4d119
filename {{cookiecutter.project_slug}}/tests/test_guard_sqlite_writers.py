"""SQLite between worker processes: a writer queues behind another worker's writer, and waits
for it as long as it would for SQLite's lock, while the event loop goes on serving.
"""

import fcntl
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from fastapi.testclient import TestClient
from httpx2 import Response

from {{ cookiecutter.package_name }}.db.dialect import writers_lock
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.problems import in_process


@contextmanager
def another_workers_writer(settings: Settings) -> Iterator[None]:
    """Hold the writers' lock as another worker's writer would: a file description of its
    own conflicts like another process's."""
    lock = writers_lock(settings)
    assert lock is not None, "a database file has a writers' lock beside it"
    with open(lock, "a") as other_worker:
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        yield  # closing the file lets go


def answer_within(request: Future[Response], seconds: float) -> int | None:
    try:
        return request.result(timeout=seconds).status_code
    except TimeoutError:
        return None


def test_writers_queue_behind_another_workers_writer(
    client: TestClient, settings: Settings
) -> None:
    assert client.post("/tags", json={"name": "first"}).status_code == 201  # warm
    with ThreadPoolExecutor(2) as requests:
        with another_workers_writer(settings):
            create = requests.submit(client.post, "/tags", json={"name": "queued"})
            created_meanwhile = answer_within(create, 0.5)
            health = answer_within(requests.submit(client.get, "/healthz"), 1)
        created = answer_within(create, 10)
    assert created_meanwhile is None, (
        f"a create answered {created_meanwhile} while another worker's writer held the "
        "writers' lock: workers on one file then meet in SQLite's busy handler, which sleeps "
        "between tries. Queue writers across processes on that lock (Writers in "
        "db/dialect/writers.py)"
    )
    assert health == 200, (
        f"/healthz answered {health} within 1 s while a writer waited for another worker's: "
        "the wait blocks the event loop. Wait for the lock in a worker thread "
        "(db/dialect/writers.py)"
    )
    assert created == 201, f"the queued create answered {created} once the lock was let go"


def test_a_writer_waits_for_another_workers_writer_as_long_as_for_the_lock(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"database_timeout_ms": 300})
    with in_process(app_of(settings)) as client, ThreadPoolExecutor(1) as requests:
        with another_workers_writer(settings):
            given_up = answer_within(requests.submit(client.post, "/tags", json={"name": "a"}), 5)
        # As a later request would: the abandoned wait, woken when the lock was let go, has
        # taken it by then (a create at once might win the lock first).
        time.sleep(0.2)
        after = client.post("/tags", json={"name": "b"}).status_code
    assert given_up == 503, (
        f"a create waiting for another worker's writer answered {given_up} (None: not within "
        "5 s), not 503 after DATABASE_TIMEOUT_MS (0.3 s): bound the wait for a place by the "
        "request's deadline (place in db/waits.py)"
    )
    assert after == 201, (
        f"a create after one gave up answered {after}: the lock the abandoned wait took "
        "later was kept, not let go (_LockWait in db/dialect/writers.py)"
    )
