"""Lists page by a cursor (keyset.py): each page starts at its cursor in an index, so it costs
the same at any depth, and rows that tie on the order are each listed once.
"""

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Select, event, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.keyset import Order
from {{ cookiecutter.package_name }}.models import Task

from tests.database import unindexed
from tests.factories import new_project, new_task, new_user
from tests.sessions import read_engine_of

PAGING = {"cursor", "limit"}


def lists(app: FastAPI) -> Iterator[tuple[str, dict[str, int]]]:
    """Each list's path (a GET that takes a cursor) and its filters, 1 for each, then again
    without the optional ones."""
    for path, operations in app.openapi()["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        if "cursor" not in {parameter["name"] for parameter in parameters}:
            continue
        url = path.format_map({p["name"]: 1 for p in parameters if p["in"] == "path"})
        filters = [p for p in parameters if p["in"] == "query" and p["name"] not in PAGING]
        yield url, {parameter["name"]: 1 for parameter in filters}
        if len(required := {p["name"]: 1 for p in filters if p.get("required")}) < len(filters):
            yield url, required


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (with their parameters) the engine runs in the block."""
    ran: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        ran.append((args[2], args[3]))  # connection, cursor, statement, parameters, ...

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)


# A key of each type a list may be ordered by (keyset.py), for a cursor to plan a page after.
SAMPLES: dict[type, object] = {
    int: 1,
    str: "a",
    datetime.datetime: datetime.datetime(2000, 1, 1),
    datetime.date: datetime.date(2000, 1, 1),
    uuid.UUID: uuid.UUID(int=1),
}


def test_each_list_reads_its_pages_from_an_index(
    app: FastAPI,
    client: TestClient,
    database: Database,
    fresh_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each list's first page, as its route asks for it, and the page after a cursor, as its
    Order makes it from the route's query."""
    ordered: list[tuple[Order, Select[Any]]] = []
    page = Order.page

    def recorded(order: Order, query: Select[Any], cursor: str | None, limit: int) -> Select[Any]:
        ordered.append((order, query))
        return page(order, query, cursor, limit)

    monkeypatch.setattr(Order, "page", recorded)
    url = database.engine.url.render_as_string(hide_password=False)
    checked = 0
    for path, filters in lists(app):
        ordered.clear()
        with statements(read_engine_of(database)) as ran:
            response = client.get(path, params=filters | {"limit": 2})
        assert response.status_code == 200, f"GET {path} {filters}: {response.text}"
        for order, query in ordered:
            key = tuple(SAMPLES[column.type.python_type] for column in order.keys)
            with statements(fresh_engine) as after, fresh_engine.connect() as connection:
                connection.execute(page(order, query, order.cursor(key), 2))
            ran += after
        pages = [(sql, parameters) for sql, parameters in ran if " LIMIT " in sql]
        assert len(pages) >= 2, f"GET {path} {filters} ran no page through an Order (keyset.py)"
        for sql, parameters in pages:
            assert not (problems := unindexed(url, sql, parameters)), (
                f"GET {path} {filters} {problems}: its page is not read from an index in the "
                "list's order, and costs more the larger the table. Declare an Index on the "
                "model with the columns its filters compare, then those of the list's Order "
                f"(keyset.py), and make a migration. The statement: {sql}"
            )
            checked += 1
    assert checked >= 8, f"only {checked} list statements found: are the list routes Pages?"


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_an_order_with_ties_lists_each_row_once(arrange: sessionmaker[Session], limit: int) -> None:
    """Tasks by title, which many share: the primary key breaks the ties, so a page may end
    among rows of one title and the next page goes on from there."""
    with arrange.begin() as session:
        project = new_project(session, new_user(session))
        tasks = [new_task(session, project, title=title) for title in "babcabbca"]
    by_title = Order(Task.title)
    seen: list[Task] = []
    cursor: str | None = None
    with arrange() as session:
        while True:
            query = by_title.page(select(Task), cursor, limit)
            page = by_title.rows(session.scalars(query).all(), limit)
            seen += page.items
            if (cursor := page.next_cursor) is None:
                break
    expected = sorted(tasks, key=lambda task: (task.title, task.id))
    assert [task.id for task in seen] == [task.id for task in expected], (
        f"tasks by title, {limit} a page: {[(t.title, t.id) for t in seen]}, not each once in "
        "(title, id) order: where the key is not unique, the primary key must break ties, "
        "in the cursor too (Order in keyset.py)"
    )
