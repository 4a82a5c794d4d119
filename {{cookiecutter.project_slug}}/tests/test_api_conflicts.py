"""Conflicts: a duplicate, or a reference to a row that is not there, is a 409 that names
the constraint refused.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.models import Tag

from tests.factories import (
    created,
    new_project,
    new_tag,
    new_user,
)
from tests.problems import assert_conflict, assert_problem


def test_duplicates_conflict(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        project = new_project(session, user)
        tag, other = new_tag(session), new_tag(session)
    twin = {"email": user.email.upper(), "name": "Twin"}
    assert_conflict(client, "post", "/users", twin, "has this email (uq_users_email)")
    again = {"name": project.name, "owner_id": user.id}
    assert_conflict(client, "post", "/projects", again, "uq_projects_owner_id_name")
    assert_conflict(client, "post", "/tags", {"name": tag.name}, "uq_tags_name")
    assert_conflict(client, "patch", f"/tags/{other.id}", {"name": tag.name}, "uq_tags_name")
    with fresh_engine.connect() as connection:
        names = connection.scalars(select(Tag.name).order_by(Tag.id)).all()
    assert names == [tag.name, other.name], "a refused update changed the stored row"


@pytest.mark.parametrize(
    ("path", "body", "refusal"),
    [
        ("/projects", {"name": "Orphan", "owner_id": 999999}, "fk_projects_owner_id_users"),
        ("/tasks", {"title": "Orphan", "project_id": 999999}, "fk_tasks_project_id_projects"),
        (
            "/tasks",
            {"title": "Ghost tag", "project_id": "PROJECT", "tag_ids": [999999]},
            "tag_ids [999999] refer to no row of tags",
        ),
        (
            "/tasks",
            {"title": "Ghost assignee", "project_id": "PROJECT", "assignee_id": 999999},
            "fk_tasks_assignee_id_users",
        ),
    ],
)
def test_references_to_missing_rows_conflict(
    client: TestClient,
    arrange: sessionmaker[Session],
    path: str,
    body: dict[str, Any],
    refusal: str,
) -> None:
    with arrange.begin() as session:
        project = new_project(session, new_user(session))
    body = {key: project.id if value == "PROJECT" else value for key, value in body.items()}
    response = client.post(path, json=body)
    detail = assert_problem(response, 409)
    assert refusal in detail, f"a 409 must name the missing reference ({refusal}), not {detail!r}"
    assert client.get("/tasks").json()["items"] == []


def test_names_that_read_alike_are_one_name(client: TestClient) -> None:
    created(client, "/tags", {"name": "Caf\u00e9"})  # é, one character
    # e and a combining acute accent
    assert_conflict(client, "post", "/tags", {"name": "cafe\u0301"}, "uq_tags_name")
    created(client, "/users", {"email": "jos\u00e9@example.com", "name": "Jos\u00e9"})
    twin = {"email": "jose\u0301@example.com", "name": "Twin"}
    assert_conflict(client, "post", "/users", twin, "uq_users_email")
    # İ lowered is two characters, i and a dot above; the name is stored no longer than given.
    assert created(client, "/tags", {"name": "\u0130" * 50})["name"] == "i" * 50
