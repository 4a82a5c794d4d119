"""A real uvicorn server for end-to-end guards."""

import contextlib
import socket
import threading
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.cli import EVENT_LOOP
from {{ cookiecutter.package_name }}.limits import HeadTimeoutProtocol


@contextlib.contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server in a thread, stopped (its requests done) when the block ends:
    the assertions run after it, never beside a thread that may still format a traceback."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # log_config=None: uvicorn's records go to the logging the test set up; the event loop,
    # the protocol and ws="none" as in `serve`.
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,
        loop=EVENT_LOOP,
        http=HeadTimeoutProtocol,
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
