"""Many concurrent writers through a real server: none fails, every 2xx is a stored row."""

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from {{ cookiecutter.package_name }}.models import Task, User

CLIENTS = 16
REQUESTS_PER_CLIENT = 12


@pytest.fixture
def server_url(app: FastAPI) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.01)
    host, port = sock.getsockname()
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_concurrent_writers_lose_nothing(server_url: str, fresh_engine: Engine) -> None:
    with httpx2.Client(base_url=server_url, timeout=30) as http:
        owner = http.post("/users", json={"email": "owner@example.com", "name": "Owner"}).json()
        project = http.post("/projects", json={"name": "Load", "owner_id": owner["id"]}).json()
        tag = http.post("/tags", json={"name": "load"}).json()

        def write(path: str, body: dict[str, Any]) -> tuple[str, int, str]:
            try:
                response = http.post(path, json=body)
            except httpx2.TransportError as exc:  # the server dropped the connection
                return path, 0, repr(exc)
            return path, response.status_code, response.text[:120]

        def client(number: int) -> list[tuple[str, int, str]]:
            outcomes = []
            for i in range(REQUESTS_PER_CLIENT):
                if i % 2:  # reads the tag, then writes: the pattern a deferred BEGIN breaks
                    body = {
                        "title": f"t{number}-{i}",
                        "project_id": project["id"],
                        "tag_ids": [tag["id"]],
                    }
                    outcomes.append(write("/tasks", body))
                else:
                    body = {"email": f"w{number}-{i}@example.com", "name": "Writer"}
                    outcomes.append(write("/users", body))
            return outcomes

        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = [o for batch in pool.map(client, range(CLIENTS)) for o in batch]

    statuses = Counter(status for _, status, _ in outcomes)
    failures = [f"{path} {status} {text}" for path, status, text in outcomes if status != 201]
    assert not failures, (
        f"{len(failures)} of {len(outcomes)} concurrent writes failed {dict(statuses)}: "
        f"{failures[:5]}"
    )
    with fresh_engine.connect() as connection:
        stored = (connection.scalar(select(func.count()).select_from(User)) or 0) - 1
        stored += connection.scalar(select(func.count()).select_from(Task)) or 0
    assert stored == statuses[201], (
        f"{statuses[201]} writes answered 201 but {stored} rows were stored"
    )
