"""Deletes cascade in the database: children go with their parent, optional references clear."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.models import Project, Task, task_tags

from tests.factories import new_project, new_tag, new_task, new_user


def delete(client: TestClient, path: str) -> None:
    response = client.delete(path)
    assert response.status_code == 204, (
        f"DELETE {path} answered {response.status_code} {response.text}: the database refused "
        "the delete, so a foreign key pointing at the row has no ondelete policy (CASCADE for "
        "owned rows, SET NULL for optional references)"
    )


def count(engine: Engine, table: object, *where: object) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table).where(*where)) or 0  # type: ignore[arg-type]


def test_deleting_a_user_removes_their_projects_and_unassigns_their_tasks(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        owner, other = new_user(session), new_user(session)
        doomed = new_project(session, owner)
        kept = new_project(session, other)
        new_task(session, doomed, tags=[new_tag(session)])
        assigned = new_task(session, kept, assignee_id=owner.id)

    delete(client, f"/users/{owner.id}")

    assert count(fresh_engine, Project, Project.owner_id == owner.id) == 0, (
        "projects.owner_id ondelete='CASCADE' did not fire: are foreign keys on for every "
        "connection?"
    )
    assert count(fresh_engine, Task, Task.project_id == doomed.id) == 0, (
        "tasks.project_id ondelete='CASCADE' did not fire"
    )
    assert count(fresh_engine, task_tags) == 0, "task_tags rows outlived their task"
    assert client.get(f"/tasks/{assigned.id}").json()["assignee_id"] is None, (
        "tasks.assignee_id ondelete='SET NULL' did not fire"
    )


def test_deleting_a_tag_untags_tasks_and_keeps_them(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        tag, other = new_tag(session), new_tag(session)
        task = new_task(session, new_project(session, new_user(session)), tags=[tag, other])

    delete(client, f"/tags/{tag.id}")

    assert [t["id"] for t in client.get(f"/tasks/{task.id}").json()["tags"]] == [other.id]
    assert count(fresh_engine, task_tags) == 1


def test_deleting_a_project_removes_its_tasks(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        project = new_project(session, new_user(session))
        new_task(session, project)
        new_task(session, project)

    delete(client, f"/projects/{project.id}")

    assert count(fresh_engine, Task) == 0, "tasks.project_id ondelete='CASCADE' did not fire"
