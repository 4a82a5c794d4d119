"""What an error body is: an RFC 9457 problem that says what the client can act on, never
what only the code behind the API knows (a traceback, the driver's or SQLAlchemy's words, a
statement). Every app a test serves or calls in process is watched for it."""

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.database import DRIVER

INTERNALS = re.compile(
    rf"Traceback|{DRIVER}|sqlalchemy|\[SQL: |Background on this error|DETAIL: |constraint failed",
    re.IGNORECASE,
)


@contextlib.contextmanager
def watched(app: ASGIApp) -> Iterator[ASGIApp]:
    """The app as it is, but that the block fails at its end if an error body the app sent
    showed INTERNALS."""
    shown: list[str] = []

    async def app_watched(scope: Scope, receive: Receive, send: Send) -> None:
        status = 0

        async def send_watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status >= 400:
                body = message.get("body", b"").decode(errors="replace")
                if said := INTERNALS.search(body):
                    where = f"{scope['method']} {scope['path']}"
                    shown.append(f"{where}: {status} says {said[0]!r}: {body[:300]}")
            await send(message)

        await app(scope, receive, send_watched)

    yield app_watched
    assert not shown, (
        "error bodies show what only the code behind the API knows; the log keeps it, the "
        "body says what the client can act on (handlers.py):\n" + "\n".join(shown)
    )


@contextlib.contextmanager
def in_process(
    app: ASGIApp, raise_server_exceptions: bool = True, base_url: str = "http://testserver"
) -> Iterator[TestClient]:
    """A test client of the watched app, its lifespan run."""
    with (
        watched(app) as app_watched,
        TestClient(
            app_watched, base_url=base_url, raise_server_exceptions=raise_server_exceptions
        ) as client,
    ):
        yield client


def assert_problem(response: Response, status: int, request: str = "") -> str:
    """Check the response (to the request described) is the RFC 9457 problem every error
    answers with; its detail."""
    assert response.status_code == status, f"{request}: {response.status_code} {response.text}"
    assert response.headers["content-type"] == "application/problem+json", response.headers
    problem = response.json()
    assert problem["status"] == status, problem
    assert problem["title"], problem
    assert problem["type"], problem
    detail: str = problem["detail"]
    assert detail, f"a {status} must say what is wrong"
    said = INTERNALS.search(response.text)
    assert said is None, f"a {status} says {said and said[0]!r}, only the code's words: {problem}"
    return detail


def assert_conflict(
    client: TestClient, method: str, path: str, body: dict[str, Any], refusal: str
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 409, (
        f"{method.upper()} {path} with a duplicate answered {response.status_code}: the "
        "database's IntegrityError must reach its handler (handlers.py) as a 409, not be swallowed"
    )
    detail = assert_problem(response, 409)
    assert refusal in detail, f"a 409 must name what was refused ({refusal}), not {detail!r}"
