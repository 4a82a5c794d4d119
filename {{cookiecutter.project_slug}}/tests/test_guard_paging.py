"""Lists page by a cursor (keyset.py): each page starts at its cursor in an index, so it costs
the same at any depth, and rows that tie on the order are each listed once.
"""

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple, get_args

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Select, delete, event, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.keyset import Order, Position, Side
from {{ cookiecutter.package_name }}.models import Tag, Task

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
    """Each list's first page, as its route asks for it, and the pages after and before a
    cursor, as its Order makes them from the route's query."""
    ordered: list[tuple[Order, Select[Any]]] = []
    page = Order.page

    def recorded(
        order: Order, query: Select[Any], position: Position | None, limit: int
    ) -> Select[Any]:
        ordered.append((order, query))
        return page(order, query, position, limit)

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
            with statements(fresh_engine) as beside, fresh_engine.connect() as connection:
                for side in get_args(Side):
                    connection.execute(
                        page(order, query, order.position(order.cursor(key, side)), 2)
                    )
            ran += beside
        pages = [(sql, parameters) for sql, parameters in ran if " LIMIT " in sql]
        assert len(pages) > len(get_args(Side)), (
            f"GET {path} {filters} ran no page through an Order (keyset.py)"
        )
        for sql, parameters in pages:
            assert not (problems := unindexed(url, sql, parameters)), (
                f"GET {path} {filters} {problems}: its page is not read from an index in the "
                "list's order, and costs more the larger the table. Declare an Index on the "
                "model with the columns its filters compare, then those of the list's Order "
                f"(keyset.py), and make a migration. The statement: {sql}"
            )
            checked += 1
    assert checked >= 12, f"only {checked} list statements found: are the list routes Pages?"


def test_an_emptied_page_leads_back(client: TestClient, arrange: sessionmaker[Session]) -> None:
    """A page whose rows were deleted before a client reached it still leads back the way the
    client came: to the rows before its cursor, walking forwards; after it, walking back."""
    with arrange.begin() as session:
        session.execute(delete(Tag))
    ids = {name: client.post("/tags", json={"name": name}).json()["id"] for name in "abc"}

    def page(cursor: str | None = None) -> dict[str, Any]:
        response = client.get("/tags", params={"limit": 2} | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        answered: dict[str, Any] = response.json()
        return answered | {"names": [tag["name"] for tag in answered["items"]]}

    first = page()
    last = page(first["next_cursor"])
    client.delete(f"/tags/{ids['c']}")
    emptied_after = page(first["next_cursor"])
    for name in "ab":
        client.delete(f"/tags/{ids[name]}")
    emptied_before = page(last["previous_cursor"])
    ways = (emptied_after["previous_cursor"], emptied_before["next_cursor"])
    assert None not in ways, (
        f"an empty page after [a, b] and one before [c] lead {ways}: an empty page must lead "
        "back to the rows on its cursor's other side (Order.rows in keyset.py)"
    )
    client.post("/tags", json={"name": "c"})
    for name in "ab":
        client.post("/tags", json={"name": name})
    assert (page(ways[0])["names"], page(ways[1])["names"]) == (["a", "b"], ["c"]), (
        "an empty page's way back must hold the rows on its cursor's other side, its own row "
        "included (Order.rows in keyset.py)"
    )


TITLES = "babcabbca"


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_an_order_with_ties_lists_each_row_once(arrange: sessionmaker[Session], limit: int) -> None:
    """Tasks by title, which many share: the primary key breaks the ties, so a page may end
    among rows of one title and the next page goes on from there; and back, page by page,
    from the last."""
    with arrange.begin() as session:
        project = new_project(session, new_user(session))
        tasks = [new_task(session, project, title=title) for title in TITLES]
    by_title = Order(Task.title)
    expected = [(task.title, task.id) for task in sorted(tasks, key=lambda t: (t.title, t.id))]
    with arrange() as session:
        forwards = _walked(session, by_title, None, "next_cursor", limit)
        backwards = _walked(session, by_title, forwards.cursor, "previous_cursor", limit)
    for way, walk in (("forwards", forwards), ("backwards", backwards)):
        assert walk.rows == expected, (
            f"tasks by title, {limit} a page, {way}: {walk.rows}, not each once in (title, id) "
            "order: where the key is not unique, the primary key must break ties, in the "
            "cursor too (Order in keyset.py)"
        )


class Walk(NamedTuple):
    rows: list[tuple[str, int]]  # (title, id) in the list's order
    cursor: str | None  # the last page's


def _walked(session: Session, order: Order, cursor: str | None, towards: str, limit: int) -> Walk:
    """The tasks of each page from the cursor's on, following each page's `towards`, for at
    most a page per task and one more (a cursor that leads back to its own page loops)."""
    pages: list[list[tuple[str, int]]] = []
    for _ in range(len(TITLES) + 1):
        position = order.position(cursor)
        found = session.scalars(order.page(select(Task), position, limit)).all()
        page = order.rows(found, position, limit)
        pages.append([(task.title, task.id) for task in page.items])
        if (following := getattr(page, towards)) is None:
            break
        cursor = following
    in_order = pages if towards == "next_cursor" else pages[::-1]
    return Walk([row for page in in_order for row in page], cursor)
