"""What a client may send, and how slowly: a body up to MAX_BODY_BYTES; a request head within
HEADER_TIMEOUT_S, its body within BODY_TIMEOUT_S after it.

Without them, one client holds a worker's memory with a body of gigabytes (the JSON parser
reads all of it before the schema refuses it), or its connections for as long as it likes by
sending a byte now and then. The deadlines live in the HTTP protocol, where a request that
arrives whole (nearly every one) costs no timer.
"""

import asyncio
import socket
from functools import cache
from typing import Any

from anyio import move_on_after
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..errors import CLOSE, problem
from ..settings import Settings


class BodyLimits:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _body_length(scope)
        if length is None:  # in chunks: counted as they come
            await self.app(scope, self._counted(receive), send)
        elif length > self.max_bytes:
            await self._refuse_unread(receive, send)
        else:  # the server reads no more than the length announced
            await self.app(scope, receive, send)

    def _counted(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise HTTPException(413, self._too_large, headers=CLOSE)
            return message

        return counted

    async def _refuse_unread(self, receive: Receive, send: Send) -> None:
        """413 before a byte of the body is read. A client that sends its body without asking
        first (Expect: 100-continue) reads the answer only once it has sent it all, and a
        connection closed under unread bytes is reset, answer and all: so the body is read
        and dropped (its memory is not kept) until the server's body timeout, before the
        answer ends and the connection with it. (Asking first, a client sends nothing.)"""
        refusal = problem(413, self._too_large, headers=CLOSE)
        await send({"type": "http.response.start", "status": 413, "headers": refusal.raw_headers})
        await send({"type": "http.response.body", "body": refusal.body, "more_body": True})
        with move_on_after(_timeouts_s().body):
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


class _Timeouts:
    def __init__(self, settings: Settings) -> None:
        self.head = settings.header_timeout_s
        self.body = settings.body_timeout_s


@cache
def _timeouts_s() -> _Timeouts:
    # Read in each worker process: uvicorn imports the protocol there by its name.
    return _Timeouts(Settings())


class TimedProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools), with deadlines: a request's head must arrive
    within HEADER_TIMEOUT_S of the connection or of the head's first byte, else the
    connection is closed; its body within BODY_TIMEOUT_S of the head, else it is answered 408
    and closed. (uvicorn's own keep-alive timeout ends only idle connections.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._timer: asyncio.TimerHandle | None = None
        self._awaited: str | None = None  # "head" or "body", while one is on its way

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # asyncio turns Nagle's algorithm off only on sockets bound with IPPROTO_TCP, which
        # uvicorn's own (for WORKERS > 1) are not in older releases, 0.40 among them: then a
        # response written in two parts waits for the client's delayed ACK, 40 ms on Linux.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
        self._await("head")
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Only for a head or body these bytes began and did not end: most arrive whole.
        if self._awaited is not None and self._timer is None:
            self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._await("head")

    def on_headers_complete(self) -> None:
        self._await("body")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._await(None)
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._await(None)
        super().connection_lost(exc)

    def _await(self, part: str | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._awaited = part

    def _arm(self) -> None:
        timeouts = _timeouts_s()
        seconds = timeouts.body if self._awaited == "body" else timeouts.head
        self._timer = self.loop.call_later(seconds, self._too_slow)

    def _too_slow(self) -> None:
        self._timer = None
        if self._awaited == "body" and not self.cycle.response_started:
            detail = f"the request body did not arrive within {_timeouts_s().body:g} s"
            late = problem(408, detail, headers=CLOSE)
            headers = b"".join(b"%s: %s\r\n" % header for header in late.raw_headers)
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\n%s\r\n%s" % (headers, late.body))
        self.transport.close()
