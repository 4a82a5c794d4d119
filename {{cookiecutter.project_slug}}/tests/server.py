"""A real uvicorn server for end-to-end guards, and timed answers from it."""

import contextlib
import gc
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, NamedTuple

import httpx2
import uvicorn
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.cli import EVENT_LOOP
from {{ cookiecutter.package_name }}.web.limits import TimedProtocol

from tests.problems import watched


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """What the suite made before (the fuzzer's examples among it) out of the collector's
    reach for the block: a full collection of it pauses a server and its clients alike, on a
    loaded machine for as long as a slow call, which the guards would count against the
    service."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server in a thread, stopped (its requests done) when the block ends:
    the assertions run after it, never beside a thread that may still format a traceback.
    The block fails if an error body showed what only the code knows (tests/problems.py)."""
    sock = socket.socket()  # without IPPROTO_TCP, as uvicorn binds one for WORKERS > 1
    sock.bind(("127.0.0.1", 0))
    with heap_frozen(), watched(app) as app_watched:
        # log_config=None: uvicorn's records go to the logging the test set up; the event
        # loop, the protocol and ws="none" as in `serve`.
        config = uvicorn.Config(
            app_watched,
            log_level="warning",
            log_config=None,
            loop=EVENT_LOOP,
            http=TimedProtocol,
            ws="none",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started and thread.is_alive():
            thread.join(0.01)
        host, port = sock.getsockname()
        yield f"http://{host}:{port}"
        server.should_exit = True
        thread.join(10)
        sock.close()


# What an answer may take beyond the timeout on a loaded 2-core machine.
SLACK_S = 1.0
# What a request that needs nothing stuck may take meanwhile.
PROMPT_S = 0.5


class Answer(NamedTuple):
    status: int
    seconds: float
    retry_after: str | None


async def timed(http: httpx2.AsyncClient, method: str, path: str, **kwargs: Any) -> Answer:
    began = time.monotonic()
    response = await http.request(method, path, **kwargs)
    return Answer(
        response.status_code, time.monotonic() - began, response.headers.get("retry-after")
    )
