"""Concurrent changes of the same rows answer as if they had run one after the other.

Another client's transaction (tests/other_client.py) changes a row and stays open while a
request changes it too. The request must wait for it and then work on what it left: a
service locks what it reads to change (`lock=True`: SELECT ... FOR UPDATE, where the
database locks rows), and a unit of work that finds its rows changed under it runs again
(Database.write). Otherwise the answer describes rows that were never stored,
a row is deleted twice, or the client gets a 500 for a retry the service could have made.
"""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from {{ cookiecutter.package_name }}.models import Tag, Task
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import new_project, new_tag, new_task, new_user
from tests.other_client import OtherTransaction
from tests.problems import in_process

# Long enough for the request to reach the other transaction's lock and wait there.
MEETS_S = 0.5


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that gets the server's answer, a 500 too, rather than its exception."""
    with in_process(app, raise_server_exceptions=False) as client:
        yield client


def tagged_task(arrange: sessionmaker[Session], tags: int) -> tuple[int, list[int]]:
    with arrange.begin() as session:
        all_tags = [new_tag(session) for _ in range(tags)]
        task = new_task(session, new_project(session, new_user(session)), tags=all_tags[:2])
        return task.id, [tag.id for tag in all_tags]


def set_tags(task_id: int, tag_ids: list[int]) -> Callable[[Session], None]:
    """What a service that replaces a task's tags does, lock included."""

    def step(session: Session) -> None:
        task = session.get(Task, task_id, options=[selectinload(Task.tags)], with_for_update=True)
        assert task is not None
        task.tags = list(session.scalars(select(Tag).where(Tag.id.in_(tag_ids))))
        session.flush()

    return step


def stored_tags(settings: Settings, task_id: int) -> list[int]:
    def read(session: Session) -> list[int]:
        return sorted(session.scalars(select(Tag.id).join(Task.tags).where(Task.id == task_id)))

    with OtherTransaction(settings) as other:
        tag_ids: list[int] = other.run(read)
    return tag_ids


def test_a_change_waits_for_a_concurrent_one_and_keeps_its_own(
    client: TestClient, arrange: sessionmaker[Session], settings: Settings
) -> None:
    task_id, (a, b, c, d) = tagged_task(arrange, 4)  # the task has a and b
    with ThreadPoolExecutor(1) as requests, OtherTransaction(settings) as other:
        other.run(set_tags(task_id, [b, c]))
        patch = requests.submit(client.patch, f"/tasks/{task_id}", json={"tag_ids": [a, d]})
        time.sleep(MEETS_S)
    response = patch.result()
    assert response.status_code == 200, response.text
    answered = sorted(tag["id"] for tag in response.json()["tags"])
    stored = stored_tags(settings, task_id)
    assert answered == stored == [a, d], (
        f"PATCH tag_ids [a, d] while another transaction replaced the tags with [b, c]: "
        f"answered {answered}, stored {stored} (a={a} b={b} c={c} d={d}). The service read the "
        "task before the other committed and changed what it no longer held: read a row you "
        "will change with lock=True (get_task in services/tasks.py)"
    )


def test_a_delete_that_meets_a_concurrent_delete_answers_404(
    client: TestClient, arrange: sessionmaker[Session], settings: Settings
) -> None:
    with arrange.begin() as session:
        task_id = new_task(session, new_project(session, new_user(session))).id

    def delete(session: Session) -> None:
        session.delete(session.get(Task, task_id, with_for_update=True))
        session.flush()

    with ThreadPoolExecutor(1) as requests, OtherTransaction(settings) as other:
        other.run(delete)
        response = requests.submit(client.delete, f"/tasks/{task_id}")
        time.sleep(MEETS_S)
    status = response.result().status_code
    assert status == 404, (
        f"DELETE of a task another transaction deleted meanwhile answered {status}: two "
        "clients were told they deleted one row. Read a row you will delete with lock=True "
        "(delete_task in services/tasks.py)"
    )


def test_a_change_that_meets_a_concurrent_cascade_runs_again(
    client: TestClient, arrange: sessionmaker[Session], settings: Settings
) -> None:
    task_id, (a, b, c) = tagged_task(arrange, 3)  # the task has a and b

    def delete_tag_b(session: Session) -> None:
        session.delete(session.get(Tag, b, with_for_update=True))
        session.flush()  # the database deletes the task's link to b

    with ThreadPoolExecutor(1) as requests, OtherTransaction(settings) as other:
        other.run(delete_tag_b)
        patch = requests.submit(client.patch, f"/tasks/{task_id}", json={"tag_ids": [a, c]})
        time.sleep(MEETS_S)
    response = patch.result()
    assert response.status_code == 200, (
        f"PATCH tag_ids [a, c] while another transaction deleted tag b (and so the task's link "
        f"to it) answered {response.status_code} {response.text}: the unit of work found a "
        "link gone that it meant to delete (StaleDataError) and gave up. Run it again "
        "(Database.write, conflicted in db/dialect/failures.py)"
    )
    assert stored_tags(settings, task_id) == [a, c]
