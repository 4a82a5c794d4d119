"""PostgreSQL that stops answering or locks a table against reads: every request answered in
time, readiness too, and the service serving again once the server does, without a restart;
a migration's statements bounded by a timeout of their own, not the requests'.
"""

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url

from {{ cookiecutter.package_name }}.maintenance.migrate import (
    MigrationRefused,
    upgrade,
)
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.migrations import migrations_plus
from tests.postgresql_server import connected
from tests.server import PROMPT_S, SLACK_S, Answer, serving, timed


class Route:
    """A port in front of the database server: a black hole until it opens (connections are
    accepted, as the kernel completes them, and never answered), then a plain relay."""

    def __init__(self, server: tuple[str, int]) -> None:
        self.server = server
        self.opened = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._held: list[socket.socket] = []
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # the listener closed
            while True:
                client, _ = self._listener.accept()
                if not self.opened.is_set():
                    self._held.append(client)
                    continue
                server = socket.create_connection(self.server)
                for source, target in ((client, server), (server, client)):
                    threading.Thread(target=_relay, args=(source, target), daemon=True).start()

    def close(self) -> None:
        self._listener.close()
        for held in self._held:
            held.close()


def _relay(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError), source, target:
        while data := source.recv(65536):
            target.sendall(data)


async def answers(server_url: str, requests: list[tuple[str, str]]) -> list[Answer | str]:
    async with httpx2.AsyncClient(base_url=server_url, timeout=10) as http:

        async def answer(method: str, path: str) -> Answer | str:
            body = {"email": "new@example.com", "name": "New"} if method == "POST" else None
            try:
                return await timed(http, method, path, json=body)
            except httpx2.TimeoutException:
                return "no answer within 10 s"

        return await asyncio.gather(*(answer(method, path) for method, path in requests))


def migrating(settings: Settings) -> Callable[[float], str]:
    """Start migrating to the head in a thread. The function returned says what that came to
    within `seconds` more: "migrated", the name of the error it raised, or that it still
    waits (its thread, left behind, ends with the route)."""
    outcome: list[str] = []

    def migrate() -> None:
        try:
            upgrade(settings)
            outcome.append("migrated")
        except Exception as error:
            outcome.append(type(error).__name__)

    thread = threading.Thread(target=migrate, daemon=True)
    thread.start()

    def within(seconds: float) -> str:
        thread.join(seconds)
        return outcome[0] if outcome else f"still waiting {seconds:g} s after the requests"

    return within


def test_a_server_that_never_answers_is_503_in_time_then_serves(settings: Settings) -> None:
    url = make_url(settings.database_url)
    route = Route((url.host or "127.0.0.1", url.port or 5432))
    try:
        through_route = url.set(host="127.0.0.1", port=route.port)
        settings = settings.model_copy(
            update={
                "database_url": through_route.render_as_string(hide_password=False),
                "connect_timeout_s": 2,
            }
        )
        bound = settings.connect_timeout_s + SLACK_S
        requests = [("GET", "/readyz"), ("GET", "/users"), ("POST", "/users")]
        with serving(app_of(settings)) as server_url:
            migration = migrating(settings)  # what `serve` does first; meanwhile, requests
            seen = asyncio.run(answers(server_url, requests))
            migrated = migration(bound + 5)
            route.opened.set()
            healed = asyncio.run(answers(server_url, requests[:2]))
    finally:
        route.close()
    for (method, path), answer in zip(requests, seen, strict=True):
        late = (
            f"{method} {path} with a database server that never answers: {answer}, not "
            f"503 within CONNECT_TIMEOUT_S ({settings.connect_timeout_s} s): give the "
            "driver a connect timeout (engine_arguments in db/dialect/connections.py)"
        )
        assert isinstance(answer, Answer), late
        assert answer.seconds < bound, late
        assert (answer.status, bool(answer.retry_after)) == (503, True), answer
    assert migrated == "OperationalError", (
        f"serve's start-up migration with a database server that never answers: {migrated}, "
        "not an OperationalError: give the driver a connect timeout"
    )
    statuses = [answer if isinstance(answer, str) else answer.status for answer in healed]
    assert statuses == [200, 200], (
        f"once the server answered again, /readyz and GET /users answered {statuses}: the "
        "service must serve again without a restart"
    )


def test_a_table_locked_against_reads_never_holds_up_readiness(
    app: FastAPI, settings: Settings
) -> None:
    with serving(app) as server_url:

        async def readiness_behind_stuck_reads() -> tuple[list[Answer], Answer]:
            async with httpx2.AsyncClient(base_url=server_url, timeout=30) as http:
                with connected(settings.database_url) as other:
                    other.exec_driver_sql("LOCK TABLE tags IN ACCESS EXCLUSIVE MODE")
                    reads = [
                        asyncio.create_task(timed(http, "GET", "/tags"))
                        for _ in range(2 * settings.pool_size)
                    ]
                    await asyncio.sleep(0.2)  # every place for readers is taken by now
                    ready = await timed(http, "GET", "/readyz")
                return await asyncio.gather(*reads), ready  # the lock let go

        _, ready = asyncio.run(readiness_behind_stuck_reads())
    assert ready.seconds < PROMPT_S, (
        f"/readyz answered {ready.status} after {ready.seconds:.2f} s while reads waited for a "
        "locked table: readiness must take no place among the readers (Database.ping)"
    )
    assert ready.status == 200, f"/readyz answered {ready.status} beside a locked table"


def test_a_migrations_statements_have_a_timeout_of_their_own(
    settings: Settings, tmp_path: Path
) -> None:
    long_statement = 'op.execute("SELECT pg_sleep(0.5)")'
    location = migrations_plus(tmp_path, long_statement, long_statement)
    requests_short = settings.model_copy(
        update={"statement_timeout_ms": 100, "migration_statement_timeout_ms": 0}
    )
    try:
        upgrade(requests_short, "added_1", location)
    except Exception as error:  # any failure is the finding
        pytest.fail(
            "a migration's 0.5 s statement was cut by STATEMENT_TIMEOUT_MS (0.1 s), meant for "
            "requests, with MIGRATION_STATEMENT_TIMEOUT_MS at 0 (no limit): the migration's "
            "transaction must set its own (migration_transaction in "
            f"db/dialect/migrations.py): {error}"
        )
    migrations_short = settings.model_copy(update={"migration_statement_timeout_ms": 100})
    with pytest.raises(MigrationRefused, match="MIGRATION_STATEMENT_TIMEOUT_MS"):
        upgrade(migrations_short, "head", location)
