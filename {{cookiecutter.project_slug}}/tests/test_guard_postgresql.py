"""PostgreSQL: named constraints, an unreachable database answered 503, deadlocks run again,
a backup without the client tools told what to install (the pools: test_guard_postgresql_pools).
"""

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from psycopg.errors import DeadlockDetected
from sqlalchemy import Engine, Row, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.maintenance.backups import (
    Refused,
    backup,
)
from {{ cookiecutter.package_name }}.models import Tag, Task
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.factories import new_project, new_tag, new_task, new_user
from tests.other_client import OtherTransaction
from tests.postgresql_server import connected
from tests.problems import in_process

PREFIXES = {"p": "pk_", "f": "fk_", "u": "uq_", "c": "ck_"}
CONSTRAINTS = text(
    "SELECT conname, contype, conrelid::regclass::text FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'"
)
INDEXES = text(
    "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public' "
    "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
)


def test_constraint_names_come_from_the_naming_convention(fresh_engine: Engine) -> None:
    with fresh_engine.connect() as connection:
        # Typed rows: the oldest supported mypy sees text() columns as `object`.
        constraints: Sequence[Row[str, str, str]] = connection.execute(CONSTRAINTS).all()
        indexes: Sequence[Row[str, str]] = connection.execute(INDEXES).all()
    unnamed = [
        f"{table}: {name}"
        for name, kind, table in constraints
        if kind in PREFIXES and not name.startswith(PREFIXES[kind])
    ] + [f"{table}: {name}" for name, table in indexes if not name.startswith("ix_")]
    assert constraints, "no constraints found: was the schema migrated?"
    assert not unnamed, (
        f"constraints named by the server, not by Base.metadata's naming convention: {unnamed}. "
        "Migrations must name every constraint (op.f(...)) so later ones can drop it"
    )


def test_an_unreachable_database_is_503_not_500(settings: Settings) -> None:
    closed_port = make_url(settings.database_url).set(host="127.0.0.1", port=1)
    settings = settings.model_copy(
        update={"database_url": closed_port.render_as_string(hide_password=False)}
    )
    with in_process(app_of(settings), raise_server_exceptions=False) as client:
        assert client.get("/healthz").status_code == 200, "liveness must not need the database"
        for path in ("/readyz", "/users"):
            response = client.get(path)
            assert response.status_code == 503, (
                f"GET {path} with the database unreachable answered {response.status_code}: "
                "map OperationalError to 503 so clients and load balancers retry"
            )


def until_a_lock_is_waited_for(url: str, timeout_s: float = 10) -> None:
    """Return once a transaction on this database waits for a lock (other databases on the
    server may have their own waits)."""
    deadline = time.monotonic() + timeout_s
    with connected(url) as watcher:
        while True:
            # The statistics views keep one snapshot for a transaction's length: clear it.
            watcher.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            if watcher.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).scalar():
                return
            assert time.monotonic() < deadline, f"no transaction waited for a lock in {timeout_s} s"
            time.sleep(0.01)


def patch_meeting_a_deadlock(
    client: TestClient, arrange: sessionmaker[Session], settings: Settings
) -> Response | None:
    """The answer to a PATCH that meets a deadlock the server ends by ending the PATCH's
    transaction; None if it ended the other one instead (its check for deadlocks ran first:
    on a loaded machine the other began to wait more than deadlock_timeout after the PATCH)."""
    with arrange.begin() as session:
        tag_id = new_tag(session).id
        task_id = new_task(session, new_project(session, new_user(session))).id
    try:
        with ThreadPoolExecutor(1) as requests, OtherTransaction(settings) as other:
            other.run(lambda session: session.get(Tag, tag_id, with_for_update=True))
            # The request locks the task, then waits for the tag (its link's foreign key)...
            patch = requests.submit(client.patch, f"/tasks/{task_id}", json={"tag_ids": [tag_id]})
            until_a_lock_is_waited_for(settings.database_url)
            # ...which the other holds while it waits for the task: after deadlock_timeout
            # (1 s) the server ends the transaction that waited first, the request's.
            other.run(lambda session: session.get(Task, task_id, with_for_update=True))
    except OperationalError as error:
        if not isinstance(error.orig, DeadlockDetected):
            raise
        return None
    return patch.result()


def test_a_write_chosen_to_end_a_deadlock_runs_again(
    client: TestClient, arrange: sessionmaker[Session], settings: Settings
) -> None:
    for _ in range(3):
        if (response := patch_meeting_a_deadlock(client, arrange, settings)) is not None:
            break
    else:
        pytest.fail("in 3 deadlocks the server ended the test's transaction, not the request's")
    assert response.status_code == 200, (
        f"a PATCH the server chose to end a deadlock answered {response.status_code} "
        f"{response.text}: run the unit of work again when the server reports a deadlock or a "
        "serialization failure (conflicted in db/dialect/failures.py)"
    )


def test_a_backup_without_the_client_tools_says_what_to_install(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # where no pg_dump is
    file = tmp_path / "backup"
    with pytest.raises(Refused, match="pg_dump not found: install PostgreSQL's client tools"):
        backup(settings, file, lambda _: None)
    assert not file.exists(), "a backup that failed left a file under the name it was given"
