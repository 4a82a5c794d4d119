"""Around every request: its id, its arrival (from which its waits for the database count),
its access line, and the 500 for an error nothing handled; HEAD wherever GET is.

The id is the client's `X-Request-ID` when it is well-formed, a new one otherwise; it goes
back in the response's `X-Request-ID`, in every error body, and on every line logged while
the request runs (see logs.py), the server's traceback of an unhandled error included.
"""

import logging
import re
import time
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..db.waits import ARRIVED
from ..errors import CLOSE, problem
from ..logs import REQUEST_ID
from ..settings import PACKAGE

access_log = logging.getLogger(f"{PACKAGE}.access")

HEADER = b"x-request-id"
WELL_FORMED = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _given_id(scope) or uuid4().hex
        # Never reset, on purpose: the server logs an unhandled error's traceback after this
        # returns, and the id must still be set; each request runs in a task (so a context)
        # of its own under uvicorn and the TestClient.
        REQUEST_ID.set(request_id)
        began = time.monotonic()
        ARRIVED.set(began)
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not status:  # once the response has begun, only the connection can be dropped
                # The server closes the connection after an error: say so, or the client's
                # next request on it meets a closed socket.
                failed = problem(500, "internal server error", headers=CLOSE)
                await failed(scope, receive, send_with_id)
            raise  # to the server, which logs the traceback (with the id: still set)
        finally:
            if access_log.isEnabledFor(logging.INFO):  # nothing built for a line not written
                _log_access(scope, status, time.monotonic() - began)


def _log_access(scope: Scope, status: int, seconds: float) -> None:
    # The path as sent (an encoded newline stays encoded: no forged lines), without the query
    # string, which may carry what should not be logged.
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path is not None else scope["path"]
    ms = round(seconds * 1000, 1)
    extra = {"method": scope["method"], "path": path, "status": status, "duration_ms": ms}
    access_log.info("%s %s %s %.1f ms", scope["method"], path, status, ms, extra=extra)


def _given_id(scope: Scope) -> str | None:
    value: bytes
    for name, value in scope["headers"]:
        if name == HEADER and WELL_FORMED.fullmatch(value):
            return value.decode("ascii")
    return None


class HeadAsGet:
    """HEAD answered as GET is, without the body, wherever GET is (RFC 9110): the routes and
    the document name GET only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        # The request's own scope, so what routing sets in it (its route) shows outside too.
        scope["method"] = "GET"
        try:
            await self.app(scope, receive, without_body)
        finally:
            scope["method"] = "HEAD"
