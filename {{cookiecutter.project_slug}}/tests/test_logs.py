"""Logs you can follow: every line of a request carries its id, the client gets the id back,
and nothing a client sent is written to the log."""

import io
import json
import logging.config
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.logs import config
from {{ cookiecutter.package_name }}.settings import Settings

SECRET = "hunter2-in-a-request-body"

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def json_lines(settings: Settings) -> Iterator[Lines]:
    """The service's JSON log lines written so far, parsed (each must parse)."""
    root, written = logging.getLogger(), io.StringIO()
    level = root.level
    logging.config.dictConfig(config(settings.model_copy(update={"log_format": "json"})))
    ours = root.handlers[:]  # pytest adds and removes its own around each phase
    for handler in ours:
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(written)
    yield lambda: [json.loads(line) for line in written.getvalue().splitlines()]
    for handler in ours:
        root.removeHandler(handler)
    root.setLevel(level)


def test_a_failing_request_is_followed_by_its_id(app: FastAPI, json_lines: Lines) -> None:
    def fail() -> None:
        raise RuntimeError("the route failed")

    app.add_api_route("/fail", fail, methods=["POST"])
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/fail", json={"password": SECRET}, headers={"X-Request-ID": "r-1"})
    assert response.status_code == 500, response.text
    assert response.headers["x-request-id"] == "r-1"
    assert response.json()["request_id"] == "r-1", response.text
    lines = json_lines()
    own = [line for line in lines if line.get("request_id") == "r-1"]
    access = [line for line in own if line["logger"].endswith(".access")]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [("POST", "/fail", 500)], own
    tracebacks = [line["traceback"] for line in own if "traceback" in line]
    assert len(tracebacks) == 1, f"one traceback with the request's id expected: {lines}"
    assert "RuntimeError: the route failed" in tracebacks[0]
    assert SECRET not in json.dumps(lines), "a request body reached the log"


def test_a_request_without_a_usable_id_gets_one(client: TestClient, json_lines: Lines) -> None:
    created = client.post("/tags", json={"name": SECRET}, headers={"X-Request-ID": "no spaces"})
    duplicate = client.post("/tags", json={"name": SECRET})
    assert created.status_code == 201, created.text
    assert duplicate.status_code == 409, duplicate.text
    ids = [created.headers["x-request-id"], duplicate.headers["x-request-id"]]
    assert "no spaces" not in ids, ids
    assert len(set(ids)) == 2, ids
    assert duplicate.json()["request_id"] == ids[1]
    access = {line["request_id"]: line for line in json_lines() if "status" in line}
    assert [access[id]["status"] for id in ids] == [201, 409], access
    assert SECRET not in json.dumps(access), "a request body reached the log"
