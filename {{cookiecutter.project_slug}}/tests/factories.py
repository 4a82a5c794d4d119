"""Create sample rows through the API, as a client would."""

from itertools import count
from typing import Any

from fastapi.testclient import TestClient

_serial = count(1)


def created(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 201, (
        f"POST {path} {body}: {response.status_code} {response.text}"
    )
    row: dict[str, Any] = response.json()
    return row


def new_user(client: TestClient, **fields: Any) -> dict[str, Any]:
    n = next(_serial)
    return created(
        client, "/users", {"email": f"user{n}@example.com", "name": f"User {n}"} | fields
    )


def new_project(client: TestClient, owner_id: int, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Project {next(_serial)}", "owner_id": owner_id} | fields
    return created(client, "/projects", body)


def new_tag(client: TestClient, **fields: Any) -> dict[str, Any]:
    return created(client, "/tags", {"name": f"tag-{next(_serial)}"} | fields)


def new_task(client: TestClient, project_id: int, **fields: Any) -> dict[str, Any]:
    body = {"title": f"Task {next(_serial)}", "project_id": project_id} | fields
    return created(client, "/tasks", body)


def sample_graph(client: TestClient) -> dict[str, dict[str, Any]]:
    """One of every row kind: an owner, a project, an assignee, a tag and a tagged task."""
    owner = new_user(client)
    assignee = new_user(client)
    project = new_project(client, owner["id"])
    tag = new_tag(client)
    task = new_task(client, project["id"], assignee_id=assignee["id"], tag_ids=[tag["id"]])
    return {"owner": owner, "assignee": assignee, "project": project, "tag": tag, "task": task}
