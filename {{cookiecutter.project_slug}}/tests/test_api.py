"""The HTTP contract: CRUD for every resource, and 4xx (never 5xx) for bad input."""

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.schemas import ProjectRead, TaskRead, UserRead

from tests.factories import (
    created,
    new_project,
    new_tag,
    new_task,
    new_user,
    one_of_every_row,
)
from tests.problems import assert_problem


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_user_lifecycle(client: TestClient) -> None:
    user = created(client, "/users", {"email": "  Ada@Example.com ", "name": "Ada"})
    assert user["email"] == "ada@example.com"
    assert client.get(f"/users/{user['id']}").json() == user
    changed = client.patch(f"/users/{user['id']}", json={"name": "Ada L."}).json()
    assert changed == user | {"name": "Ada L."}
    assert client.delete(f"/users/{user['id']}").status_code == 204
    assert client.get(f"/users/{user['id']}").status_code == 404


def test_task_lifecycle_with_tags_and_assignee(client: TestClient) -> None:
    owner = created(client, "/users", {"email": "owner@example.com", "name": "Owner"})
    assignee = created(client, "/users", {"email": "assignee@example.com", "name": "Assignee"})
    project = created(client, "/projects", {"name": "P", "owner_id": owner["id"]})
    tag, other = (
        created(client, "/tags", {"name": "one"}),
        created(client, "/tags", {"name": "two"}),
    )
    body = {"title": "T", "project_id": project["id"], "assignee_id": assignee["id"]}
    task = created(client, "/tasks", body | {"tag_ids": [tag["id"]]})
    assert task["tags"] == [tag]
    assert task["assignee_id"] == assignee["id"]
    changed = client.patch(
        f"/tasks/{task['id']}", json={"done": True, "tag_ids": [other["id"]], "assignee_id": None}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"tags": None} == task | {
        "done": True,
        "assignee_id": None,
        "tags": None,
    }
    assert client.get(f"/tasks/{task['id']}").json()["tags"] == [other]


def test_lists_are_paged_and_filtered(client: TestClient, arrange: sessionmaker[Session]) -> None:
    with arrange.begin() as session:
        owner = new_user(session)
        projects = [new_project(session, owner) for _ in range(3)]
        new_project(session, new_user(session))
        task = new_task(session, projects[0], tags=[new_tag(session)])
    expected = [ProjectRead.model_validate(project).model_dump() for project in projects]
    query = {"owner_id": owner.id, "limit": 2}
    first = client.get("/projects", params=query).json()
    assert (first["items"], first["previous_cursor"]) == (expected[:2], None), first
    following = client.get("/projects", params=query | {"cursor": first["next_cursor"]}).json()
    assert (following["items"], following["next_cursor"]) == (expected[2:], None), following
    back = client.get("/projects", params=query | {"cursor": following["previous_cursor"]})
    assert back.json() == first, back.text
    listed = client.get("/tasks", params={"project_id": projects[0].id}).json()
    task_read = TaskRead.model_validate(task).model_dump()
    assert listed == {"items": [task_read], "next_cursor": None, "previous_cursor": None}
    assert len(client.get("/users").json()["items"]) == 2
    assert len(client.get("/tags").json()["items"]) == 1


# Each request the schema refuses: a 422, and nothing changed.
INVALID: list[tuple[str, str, object]] = [
    ("post", "/users", {"email": "not-an-email", "name": "X"}),
    ("post", "/users", {"email": "x@example.com", "name": "   "}),
    ("post", "/users", {"email": "x@example.com"}),
    ("post", "/users", ["not", "an", "object"]),
    ("post", "/projects", {"name": "P", "owner_id": "one"}),
    ("post", "/tasks", {"title": "x" * 201, "project_id": 1}),
    ("patch", "/users/USER", {"name": None}),
    ("patch", "/users/USER", {"email": None}),
    ("patch", "/users/USER", {"nmae": "a misspelt field"}),
    # Strict: what the document says, not what could be coerced into it.
    ("post", "/projects", {"name": "P", "owner_id": True}),
    ("post", "/tasks", {"title": "x", "project_id": 1, "done": "yes"}),
    ("post", "/users", {"email": "x\ufeff@example.com", "name": "X"}),
    # A control character in a name: some databases cannot store one, and a list's cursor
    # holds the name.
    ("post", "/tags", {"name": "a\u0001b"}),
    ("post", "/users", {"email": "x@example.com", "name": "a\nb"}),
    ("post", "/tasks", {"title": "x", "project_id": 1, "tag_ids": [1] * 101}),
    ("get", "/users?limit=0", None),
    ("get", "/users?limit=101", None),
    # Cursors no page gave: empty, not base64, truncated, another list's, out of range, no
    # side of a row, a side that is none.
    ("get", "/users?cursor=", None),
    ("get", "/users?cursor=a%2Bb", None),
    ("get", "/users?cursor=WzJ", None),
    ("get", "/users?cursor=WyJhZnRlciIsImEiXQ", None),
    ("get", "/users?cursor=WyJhZnRlciIsMSwyXQ", None),
    ("get", "/users?cursor=WyJhZnRlciIsMjE0NzQ4MzY0OF0", None),
    ("get", "/tags?cursor=WyJhZnRlciIsIlx1MDAwMCJd", None),
    ("get", "/users?cursor=WzFd", None),
    ("get", "/users?cursor=WyJhcm91bmQiLDFd", None),
    ("get", "/users/abc", None),
    # Numbers beyond what an INTEGER column stores, which the driver would refuse.
    ("get", "/tasks/2147483648", None),
    ("patch", "/projects/99999999999999999999", {}),
    ("delete", "/tags/0", None),
    ("get", "/projects?owner_id=9223372036854775808", None),
    ("get", "/tasks?project_id=-1", None),
    ("post", "/tasks", {"title": "x", "project_id": 1, "tag_ids": [2**64]}),
    ("patch", "/tasks/1", {"assignee_id": 2**63}),
]


def test_invalid_input_is_422(client: TestClient, arrange: sessionmaker[Session]) -> None:
    with arrange.begin() as session:
        user = UserRead.model_validate(new_user(session)).model_dump()
    for method, path, body in INVALID:
        response = client.request(method, path.replace("USER", str(user["id"])), json=body)
        assert_problem(response, 422, f"{method.upper()} {path} with {body!r}")
        assert client.get(f"/users/{user['id']}").json() == user, (
            f"{method.upper()} {path} with {body!r} was refused and changed data"
        )


def test_unknown_ids_are_404(client: TestClient) -> None:
    for resource in ("users", "projects", "tasks", "tags"):
        for method, body in (("get", None), ("patch", {}), ("delete", None)):
            response = client.request(method, f"/{resource}/999999", json=body)
            detail = assert_problem(response, 404, f"{method.upper()} /{resource}/999999")
            assert "999999" in detail, f"{method.upper()} /{resource}/999999: {detail!r}"


def test_a_number_in_a_path_or_query_is_written_one_way(client: TestClient) -> None:
    for number in ("1.0", "1_0", "%2B1", "%201", "01", "-0", "00"):
        # Most of them a number its range holds, written another way.
        for url in (f"/tags/{number}", f"/tasks?project_id={number}", f"/users?limit={number}"):
            assert_problem(client.get(url), 422, f"GET {url}")


def test_a_name_of_nothing_that_shows_is_422(client: TestClient) -> None:
    for name in ("\u200b", "\ufeff", "\u202e", " \u00a0\u2060 "):
        assert_problem(client.post("/tags", json={"name": name}), 422, f"tag {name!r}")
        user = {"email": "a@example.com", "name": name}
        assert_problem(client.post("/users", json=user), 422, f"user {name!r}")


def test_head_answers_wherever_get_does(
    app: FastAPI, client: TestClient, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        one_of_every_row(session)
    paths = app.openapi()["paths"]
    for path in (path for path, operations in paths.items() if "get" in operations):
        # The first row of each table; a model added later may have none, and answer 404.
        url = re.sub(r"{[^}]+}", "1", path)
        get, head = client.get(url), client.head(url)
        assert (head.status_code, head.content) == (get.status_code, b""), f"HEAD {url}"
        assert head.headers["content-length"] == get.headers["content-length"], f"HEAD {url}"


def test_a_trailing_slash_is_404_not_a_redirect(client: TestClient) -> None:
    response = client.get("/users/", headers={"host": "evil.example"}, follow_redirects=False)
    assert_problem(response, 404)
