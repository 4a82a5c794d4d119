"""Logs you can follow: every line of a request carries its id, the client gets the id back,
and neither a request's body nor its query string is written to the log."""

import io
import json
import logging.config
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.error import HTTPError

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }}.logs import config
from {{ cookiecutter.package_name }}.settings import Settings

from tests.server import serving

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
    def fail(body: dict[str, str]) -> None:
        raise RuntimeError("the route failed")

    app.add_api_route("/fail", fail, methods=["POST"])
    headers = {"X-Request-ID": "r-1", "Content-Type": "application/json"}
    with serving(app) as url:
        not_json = b'{"password": ' + SECRET.encode() + b"}"
        invalid = urllib.request.Request(f"{url}/fail", not_json)
        with pytest.raises(HTTPError) as refused:  # not JSON: 422, and its input not echoed
            urllib.request.urlopen(invalid, timeout=10)
        body = json.dumps({"password": SECRET}).encode()
        request = urllib.request.Request(f"{url}/fail?token={SECRET}", body, headers)
        with pytest.raises(HTTPError) as failed:
            urllib.request.urlopen(request, timeout=10)
    with refused.value as response:
        assert response.code == 422, response.read()
    with failed.value as response:
        assert response.code == 500, response.read()
        assert response.headers["x-request-id"] == "r-1"
        assert json.loads(response.read())["request_id"] == "r-1"
    lines = json_lines()
    own = [line for line in lines if line.get("request_id") == "r-1"]
    access = [line for line in own if line["logger"].endswith(".access")]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [("POST", "/fail", 500)], own
    tracebacks = [line["traceback"] for line in lines if "traceback" in line]
    assert len(tracebacks) == 1, f"one traceback expected: {lines}"
    assert "RuntimeError: the route failed" in tracebacks[0]
    assert any("traceback" in line for line in own), f"the traceback lacks the request id: {lines}"
    assert SECRET not in json.dumps(lines), "a request body or query string reached the log"


def test_every_request_gets_an_id(client: TestClient, json_lines: Lines) -> None:
    malformed = client.get("/healthz", headers={"X-Request-ID": "no spaces"})
    missing = client.get("/no-such-route")
    assert (malformed.status_code, missing.status_code) == (200, 404)
    ids = [malformed.headers["x-request-id"], missing.headers["x-request-id"]]
    assert "no spaces" not in ids, ids
    assert len(set(ids)) == 2, ids
    assert missing.json()["request_id"] == ids[1], missing.text
    access = {line["request_id"]: line["status"] for line in json_lines() if "status" in line}
    assert [access.get(id) for id in ids] == [200, 404], access
