from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import created, new_project, new_task, new_user


def test_comments_live_and_die_with_their_task(
    client: TestClient, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        task = new_task(session, new_project(session, new_user(session)))
    comment = created(client, "/comments", {"body": " Looks good ", "task_id": task.id})
    assert comment["body"] == "Looks good"
    listed = client.get("/comments", params={"task_id": task.id}).json()
    assert listed["items"] == [comment]
    assert client.delete(f"/tasks/{task.id}").status_code == 204
    assert client.get(f"/comments/{comment['id']}").status_code == 404


def test_a_comment_on_no_task_is_a_conflict(client: TestClient) -> None:
    response = client.post("/comments", json={"body": "orphan", "task_id": 999999})
    assert response.status_code == 409, response.text
