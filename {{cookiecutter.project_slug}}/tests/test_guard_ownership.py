"""A member sees and changes their own projects and tasks only. Another member's row answers
as one that does not exist (404, the same words) and stays as it was; lists hold the caller's
own rows; a task goes into no one else's project; a deleted member's token, valid until it
expires, names no one else. Only an admin reads the users (their e-mails with them) and
changes the tags, which every member's tasks share."""

from typing import NamedTuple

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.auth.tokens import Caller, Tokens
from {{ cookiecutter.package_name }}.models import Account, Project, Task, User

from tests.factories import new_account, new_project, new_tag, new_task, new_user
from tests.problems import assert_problem

pytestmark = pytest.mark.tokens  # the app as deployed (conftest.py)

MISSING_ID = 10**9  # an id no row has


class Member(NamedTuple):
    user_id: int
    project: Project
    task: Task
    headers: dict[str, str]  # the member's access token


def bearer(app: FastAPI, account: Account) -> dict[str, str]:
    tokens: Tokens = app.state.auth.tokens
    return {"Authorization": f"Bearer {tokens.issue(Caller.of(account))}"}


def member(app: FastAPI, session: Session) -> Member:
    user = new_user(session)
    account = new_account(session, user)
    project = new_project(session, user)
    return Member(user.id, project, new_task(session, project), bearer(app, account))


@pytest.fixture
def owner(app: FastAPI, arrange: sessionmaker[Session]) -> Member:
    with arrange.begin() as session:
        return member(app, session)


@pytest.fixture
def other(app: FastAPI, arrange: sessionmaker[Session]) -> Member:
    with arrange.begin() as session:
        return member(app, session)


def not_as_missing(client: TestClient, path: str, field: str, other: Member) -> list[str]:
    """How the other member's GET, PATCH (of `field`) and DELETE of the path's row were
    answered otherwise than those of a row that does not exist."""
    [row_id] = [part for part in path.split("/") if part.isdigit()]
    differences = []
    for method in ("GET", "PATCH", "DELETE"):
        body = {field: "Taken"} if method == "PATCH" else None
        theirs = client.request(method, path, json=body, headers=other.headers)
        missing = client.request(
            method, path.replace(row_id, str(MISSING_ID)), json=body, headers=other.headers
        )
        if theirs.status_code != 404:
            differences.append(f"{method} {path}: {theirs.status_code} {theirs.text[:200]}")
            continue
        said = assert_problem(theirs, 404, f"{method} {path}").replace(row_id, "N")
        if said != assert_problem(missing, 404).replace(str(MISSING_ID), "N"):
            differences.append(f"{method} {path}: 404 in other words than a missing row's: {said}")
    return differences


def test_another_members_project_answers_as_missing(
    client: TestClient, owner: Member, other: Member
) -> None:
    path = f"/projects/{owner.project.id}"
    shown = not_as_missing(client, path, "name", other)
    assert not shown, (
        "another member's project was not answered as missing (Project.visible_to in "
        "models/project.py, owned_by in auth/access.py):\n" + "\n".join(shown)
    )
    kept = client.get(path, headers=owner.headers)
    assert kept.json()["name"] == owner.project.name, f"the owner's project changed: {kept.text}"
    theirs = {"name": "Mine now", "owner_id": owner.user_id}
    created = client.post("/projects", json=theirs, headers=other.headers)
    assert_problem(created, 403, "POST /projects for another member")


def test_another_members_task_answers_as_missing(
    client: TestClient, owner: Member, other: Member
) -> None:
    path = f"/tasks/{owner.task.id}"
    shown = not_as_missing(client, path, "title", other)
    assert not shown, (
        "another member's task was not answered as missing (get_task in services/tasks.py):\n"
        + "\n".join(shown)
    )
    kept = client.get(path, headers=owner.headers)
    assert kept.json()["title"] == owner.task.title, f"the owner's task changed: {kept.text}"


def test_lists_hold_the_callers_own_rows(client: TestClient, owner: Member, other: Member) -> None:
    listed = {
        "/tasks": [other.task.id],
        f"/tasks?project_id={owner.project.id}": [],
        "/projects": [other.project.id],
        f"/projects?owner_id={owner.user_id}": [],
    }
    seen = {
        path: [row["id"] for row in client.get(path, headers=other.headers).json()["items"]]
        for path in listed
    }
    assert seen == listed, (
        f"a member's lists show another member's rows: {seen}, expected {listed} "
        "(list_tasks and list_projects in services/)"
    )


def test_a_task_goes_into_no_one_elses_project(
    client: TestClient, owner: Member, other: Member
) -> None:
    answers = {}
    for project_id in (owner.project.id, MISSING_ID):
        body = {"title": "Slipped in", "project_id": project_id}
        answer = client.post("/tasks", json=body, headers=other.headers)
        answers[project_id] = f"{answer.status_code} {answer.json().get('detail')}"
    assert answers[owner.project.id] == answers[MISSING_ID], (
        "a member put a task into another member's project, or learned it exists "
        f"(check_project in services/tasks.py): {answers}"
    )
    listed = client.get("/tasks", params={"project_id": owner.project.id}, headers=owner.headers)
    assert [task["id"] for task in listed.json()["items"]] == [owner.task.id], listed.text


def test_only_an_admin_reads_users_or_changes_tags(
    app: FastAPI, client: TestClient, arrange: sessionmaker[Session], owner: Member, other: Member
) -> None:
    with arrange.begin() as session:
        tag = new_tag(session)
        admin = bearer(app, new_account(session, new_user(session), role="admin"))
    assert client.get("/tags", headers=other.headers).status_code == 200, "a member read no tag"
    admins_only = [
        ("GET", "/users", None),
        ("GET", f"/users/{owner.user_id}", None),
        ("POST", "/users", {"email": "new@example.com", "name": "New"}),
        ("PATCH", f"/users/{owner.user_id}", {"name": "Renamed"}),
        ("DELETE", f"/users/{owner.user_id}", None),
        ("POST", "/tags", {"name": "new"}),
        ("PATCH", f"/tags/{tag.id}", {"name": "renamed"}),
        ("DELETE", f"/tags/{tag.id}", None),
    ]
    let_through = [
        f"{method} {path}: {answer.status_code}"
        for method, path, body in admins_only
        if (answer := client.request(method, path, json=body, headers=other.headers)).status_code
        != 403
    ]
    assert not let_through, (
        "a member read the users, e-mails and all, or changed the tags every member shares; "
        "only an admin may (the users' router, EDITORS in api/dependencies.py): "
        f"{let_through}"
    )
    for method, path, body in admins_only:
        answer = client.request(method, path, json=body, headers=admin)
        assert answer.status_code < 300, f"{method} {path} as an admin: {answer.text}"


def test_a_deleted_members_token_names_no_one_else(
    app: FastAPI, client: TestClient, arrange: sessionmaker[Session]
) -> None:
    """An access token lasts until it expires: the ids it names must not come to be those of
    the next member to sign up."""
    with arrange.begin() as session:
        gone = member(app, session)  # the newest member: whose ids a reuse would hand out
    with arrange.begin() as session:
        session.execute(delete(User).where(User.id == gone.user_id))
    with arrange.begin() as session:
        newcomer = member(app, session)
    seen = {
        path: client.get(path, headers=gone.headers).json()
        for path in ("/projects", "/tasks", "/accounts/me")
    }
    assert seen["/projects"]["items"] == seen["/tasks"]["items"] == [], (
        "a deleted member's token reached the rows of the member who signed up next, whose "
        f"ids it named (ids reused: AUTOINCREMENT, migration 0005): {seen}"
    )
    assert seen["/accounts/me"].get("user_id") != newcomer.user_id, seen
