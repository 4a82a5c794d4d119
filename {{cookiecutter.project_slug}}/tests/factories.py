"""Sample rows: small typed functions that add and flush in the caller's session.

Values that must be unique come from `unique()`. Make rows in a session of the test's own
(the `arrange` fixture), then act through the API, so the service never shares an identity
map with them:

    with arrange.begin() as session:
        task = new_task(session, new_project(session, new_user(session)))
"""

from itertools import count
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

{% if cookiecutter.auth == "password" -%}
from {{ cookiecutter.package_name }}.auth.passwords import HASHER
{% endif -%}
from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.models import {% if cookiecutter.auth == "password" %}Account, {% endif %}Project, Tag, Task, User

unique = count(1).__next__
Row = TypeVar("Row", bound=Base)


def created(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST through the API, as a client would, and expect 201: for tests of that path."""
    response = client.post(path, json=body)
    assert response.status_code == 201, (
        f"POST {path} {body}: {response.status_code} {response.text}"
    )
    row: dict[str, Any] = response.json()
    return row


def add(session: Session, row: Row) -> Row:
    session.add(row)
    session.flush()  # the id is known from here on
    return row


def new_user(session: Session, **fields: Any) -> User:
    n = unique()
    return add(session, User(**{"email": f"user{n}@example.com", "name": f"User {n}"} | fields))


{% if cookiecutter.auth == "password" -%}
PASSWORD = "the tests' password"
# Hashed once: a hash takes tens of milliseconds.
PASSWORD_HASH = HASHER.hash(PASSWORD)


def new_account(session: Session, user: User, **fields: Any) -> Account:
    """An account of `user`, whose password is PASSWORD."""
    defaults = {"user_id": user.id, "password_hash": PASSWORD_HASH, "role": "member"}
    return add(session, Account(**defaults | fields))


{% endif -%}
def new_project(session: Session, owner: User, **fields: Any) -> Project:
    return add(session, Project(**{"name": f"Project {unique()}", "owner_id": owner.id} | fields))


def new_tag(session: Session, **fields: Any) -> Tag:
    return add(session, Tag(**{"name": f"tag-{unique()}"} | fields))


def new_task(session: Session, project: Project, **fields: Any) -> Task:
    defaults = {"title": f"Task {unique()}", "project_id": project.id, "tags": []}
    return add(session, Task(**defaults | fields))


def one_of_every_row(session: Session) -> None:
    """A row in every table: users, {% if cookiecutter.auth == "password" %}an account, {% endif %}a project, a task with an assignee and a tag."""
    owner, assignee = new_user(session), new_user(session)
{%- if cookiecutter.auth == "password" %}
    new_account(session, owner)
{%- endif %}
    project = new_project(session, owner)
    new_task(session, project, assignee_id=assignee.id, tags=[new_tag(session)])
