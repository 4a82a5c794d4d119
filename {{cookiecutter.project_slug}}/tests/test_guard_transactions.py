"""The write path: committed before the response, rolled back on any error, pool returned."""

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

import {{ cookiecutter.package_name }} as package
from {{ cookiecutter.package_name }}.api.dependencies import DatabaseDep
from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.errors import NotFound
from {{ cookiecutter.package_name }}.models import Tag, Task, User, task_tags
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import created
from tests.problems import in_process
from tests.sessions import as_service, in_session

PACKAGE_DIR = Path(package.__file__).parent
WRITTEN_BEFORE_FAILING = "written-before-failing"
failing_routes = APIRouter()


def write_then_fail(session: Session, *, failure: str) -> None:
    session.add(Tag(name=WRITTEN_BEFORE_FAILING))
    session.flush()
    if failure == "exception":
        raise RuntimeError("failure after a flush")
    if failure == "http":
        raise HTTPException(status_code=400, detail="refused after a write")
    raise NotFound("domain error after a write")


@failing_routes.post("/write-then-fail/{failure}")
async def write_then_fail_route(failure: str, database: DatabaseDep) -> None:
    await database.write(as_service(write_then_fail), failure=failure)


@pytest.fixture
def failing_client(app: FastAPI) -> Iterator[TestClient]:
    app.include_router(failing_routes)
    with in_process(app, raise_server_exceptions=False) as client:
        yield client


def test_committed_rows_reach_the_database_file(client: TestClient, fresh_engine: Engine) -> None:
    missing = "rows answered with 201 are missing from a new connection: the request's " + (
        "transaction never committed (Database.write must commit before it returns)"
    )
    user = created(client, "/users", {"email": "kept@example.com", "name": "Kept"})
    with fresh_engine.connect() as connection:
        stored = connection.scalar(
            select(func.count()).select_from(User).where(User.id == user["id"])
        )
    assert stored == 1, missing
    project = created(client, "/projects", {"name": "Kept", "owner_id": user["id"]})
    tag = created(client, "/tags", {"name": "kept"})
    body = {"title": "Kept", "project_id": project["id"], "tag_ids": [tag["id"]]}
    task_id = created(client, "/tasks", body)["id"]
    with fresh_engine.connect() as connection:
        task = connection.execute(select(Task.__table__).where(Task.id == task_id))
        links = connection.scalar(select(func.count()).select_from(task_tags))
    assert task.one_or_none() is not None, missing
    assert links == 1, missing


def test_failed_commit_answers_an_error(failing_client: TestClient, fresh_engine: Engine) -> None:
    def fail_commit(session: Session) -> None:
        raise RuntimeError("commit failed (injected by the test)")

    event.listen(Session, "before_commit", fail_commit)
    try:
        response = failing_client.post("/users", json={"email": "lost@example.com", "name": "Lost"})
    finally:
        event.remove(Session, "before_commit", fail_commit)
    assert response.status_code >= 500, (
        f"POST /users answered {response.status_code} although its commit failed: the commit "
        "runs after the response was sent. Database.write must commit before it returns"
    )
    assert "injected" not in response.text, "the 500 leaked the exception to the client"
    with fresh_engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User)) == 0


FAILURES = [("exception", 500), ("http", 400), ("domain", 404)]


@pytest.mark.parametrize(("failure", "status"), FAILURES)
def test_error_after_a_write_leaves_nothing(
    failing_client: TestClient, fresh_engine: Engine, failure: str, status: int
) -> None:
    response = failing_client.post(f"/write-then-fail/{failure}")
    assert response.status_code == status
    assert "failure after a flush" not in response.text, "a 500 leaked the exception to the client"
    with fresh_engine.connect() as connection:
        left = connection.scalar(
            select(func.count()).select_from(Tag).where(Tag.name == WRITTEN_BEFORE_FAILING)
        )
    assert left == 0, f"a request that failed with {status} kept the row it had flushed"


def test_requests_return_their_connections(app: FastAPI, failing_client: TestClient) -> None:
    database: Database = app.state.database
    created(failing_client, "/users", {"email": "returned@example.com", "name": "Returned"})
    failing_client.get("/users")
    failing_client.post("/write-then-fail/exception")
    failing_client.post("/users", json={"email": "bad"})
    failing_client.get("/users/999999")
    pools = {database.engine.pool, database.read_engine.pool}  # one where readers share it
    checked_out = sum(pool.checkedout() for pool in pools)  # type: ignore[attr-defined]
    assert checked_out == 0, f"{checked_out} connection(s) still checked out after the requests"


def add_a_row(session: Session) -> None:
    session.add(Tag(name="added"))
    session.flush()


def update_every_row(session: Session) -> None:
    session.connection().execute(update(Tag).values(name="overwritten"))


WRITES = {"an ORM flush": add_a_row, "a Core UPDATE": update_every_row}


def refused(write: Callable[[Session], None]) -> Callable[[Session], bool]:
    def attempt(session: Session) -> bool:
        try:
            write(session)
        except DBAPIError:
            return True
        return False

    return attempt


def test_read_sessions_refuse_writes(
    settings: Settings, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        session.add(Tag(name="stored"))
    went_through = [
        name
        for name, write in WRITES.items()
        if not in_session(settings, refused(write), read=True)
    ]
    assert not went_through, (
        f"a read session ran {' and '.join(went_through)}: a read route would change rows it "
        "was never meant to, beside the writers' turns and checks. The database must refuse "
        "writes in read sessions: make them on the dialect's read_engine (db/session.py), "
        "whose connections db/dialect/connections.py makes read-only"
    )
    with fresh_engine.connect() as connection:
        assert connection.scalars(select(Tag.name)).all() == ["stored"]


def test_commit_only_in_the_unit_of_work() -> None:
    allowed = PACKAGE_DIR / "db" / "session.py"
    stray = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
                and path != allowed
            ):
                stray.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}")
    assert not stray, (
        f"commit() outside the unit of work ({allowed.name}): {', '.join(stray)}. Routes and "
        "services add and flush; Database.write commits before the response."
    )
