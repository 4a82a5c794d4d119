"""What a client may send, and how slowly: a body up to MAX_BODY_BYTES, read within
BODY_TIMEOUT_S of its first byte; a request head within HEADER_TIMEOUT_S.

Without them, one client holds a worker's memory with a body of gigabytes (the JSON parser
reads all of it before the schema refuses it), or its connections for as long as it likes by
sending a byte now and then.
"""

import asyncio
import time
from functools import cache
from typing import Any

from anyio import move_on_after
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .errors import CLOSE, problem
from .settings import Settings


class BodyLimits:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _body_length(scope)
        if length is not None and length > self.max_bytes:
            await self._refuse_unread(scope, receive, send)
            return
        if length == 0:  # no body to wait for
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        received = 0
        complete = False

        async def limited() -> Message:
            nonlocal deadline, received, complete
            if complete:  # after the body, receive waits for the client to disconnect
                return await receive()
            deadline = deadline or time.monotonic() + self.timeout_s
            with move_on_after(deadline - time.monotonic()):
                message = await receive()
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > self.max_bytes:
                    raise HTTPException(413, self._too_large, headers=CLOSE)
                return message
            raise HTTPException(
                408, f"the request body did not arrive within {self.timeout_s:g} s", CLOSE
            )

        await self.app(scope, limited, send)

    async def _refuse_unread(self, scope: Scope, receive: Receive, send: Send) -> None:
        """413 before a byte of the body is read. A client that sends its body without asking
        first (Expect: 100-continue) reads the answer only once it has sent it all, and a
        connection closed under unread bytes is reset, answer and all: so the body is read
        and dropped (its memory is not kept), for BODY_TIMEOUT_S at most, before the answer
        ends and the connection with it."""
        refusal = problem(413, self._too_large, headers=CLOSE)
        await send({"type": "http.response.start", "status": 413, "headers": refusal.raw_headers})
        await send({"type": "http.response.body", "body": refusal.body, "more_body": True})
        if (b"expect", b"100-continue") not in scope["headers"]:
            with move_on_after(self.timeout_s):
                while (await receive()).get("more_body", False):
                    pass
        await send({"type": "http.response.body", "body": b""})

    @property
    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"


def _body_length(scope: Scope) -> int | None:
    """The length the request announces for its body (0: none); None when it comes in chunks."""
    length = 0
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            length = int(value) if value.isdigit() else 0  # the server refuses what is not
    return length


@cache
def _header_timeout_s() -> float:
    # Read in each worker process: uvicorn imports the protocol there by its name.
    return Settings().header_timeout_s


class HeadTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools), closing a connection whose request head does
    not arrive within HEADER_TIMEOUT_S of the connection, or of the next request's first
    byte. (uvicorn's own keep-alive timeout ends only idle connections.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_begun = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # A head these bytes began and did not end (most arrive whole: no timer for them).
        if self._head_begun and self._head_timer is None:
            self._await_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_begun = True

    def on_headers_complete(self) -> None:
        self._head_begun = False
        self._stop_waiting()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._head_timer = self.loop.call_later(_header_timeout_s(), self.transport.close)

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
