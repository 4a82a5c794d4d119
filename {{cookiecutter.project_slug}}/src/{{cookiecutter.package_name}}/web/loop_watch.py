"""A warning that names the code holding the event loop.

While one call holds a worker's event loop, none of the worker's other requests moves, not
even /healthz. The loop beats every quarter of the threshold; a thread of its own watches the
beats, and when they stop, it looks at what the loop's thread runs. The same callback found
there at every look for a whole threshold is what holds it: it is named by the innermost calls
of the application's code. Many short callbacks on a busy loop are not reported, nor a short
call that a loaded machine stretched to less than the threshold.
"""

import asyncio
import logging
import os
import sys
import sysconfig
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

PACKAGE_DIR = f"{Path(__file__).parent}{os.sep}"
ASYNCIO_DIR = f"{Path(asyncio.__file__).parent}{os.sep}"
# Where code that is not the application's lives: the standard library, installed packages,
# and modules frozen into the interpreter ("<frozen ...>").
LIBRARIES = (*{sysconfig.get_path(name) for name in ("stdlib", "purelib", "platlib")}, "<")


@asynccontextmanager
async def watching(threshold_ms: int) -> AsyncIterator[None]:
    """Warn, for the length of the block, whenever a call holds the running event loop longer
    than `threshold_ms` (0: never)."""
    if not threshold_ms:
        yield
        return
    watch = _Watch(threshold_ms / 1000, asyncio.get_running_loop())
    thread = threading.Thread(target=watch.run, name="loop-watch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        watch.next_beat.cancel()
        watch.stopped.set()
        thread.join()


class _Watch:
    def __init__(self, threshold_s: float, loop: asyncio.AbstractEventLoop) -> None:
        self.threshold_s = threshold_s
        self.tick_s = threshold_s / 4
        self.loop = loop
        self.loop_thread = threading.get_ident()
        self.stopped = threading.Event()
        self.beat()

    def beat(self) -> None:
        """Runs on the loop, a tick after the last beat unless something holds the loop."""
        self.last_beat = time.monotonic()
        self.next_beat = self.loop.call_later(self.tick_s, self.beat)

    def run(self) -> None:
        # The callback the loop ran when last looked at (the calls it makes come and go).
        held: FrameType | None = None
        named: FrameType | None = None  # the call it was found in then, to name
        since = 0.0
        reported = False
        while not self.stopped.wait(self.tick_s):
            now = time.monotonic()
            overdue = now - self.last_beat - self.tick_s
            if overdue < self.tick_s:
                held, named, reported = None, None, False
                continue
            running = sys._current_frames().get(self.loop_thread)
            callback = _callback(running)
            calls = _application_frames(running, 3)
            # Named once found in the same call twice in a row: on a starved machine, one
            # look may fall in the code around it.
            innermost = calls[0] if calls else None
            steady, named = innermost is named, innermost
            if callback is not held:
                held, since, reported = callback, now, False
            elif steady and not reported and now - since >= self.threshold_s:
                reported = True
                log.warning(
                    "%s has held the event loop for %.0f ms: no other request of this worker "
                    "moves meanwhile; run slow work in a worker thread",
                    ", called from ".join(map(_described, calls)),
                    (now - self.last_beat) * 1000,
                )
            del running, callback, calls  # held and named keep frames, while the loop is late


def _callback(frame: FrameType | None) -> FrameType | None:
    """The outermost frame of the callback the loop runs: the one right inside asyncio's."""
    callback = None
    while frame is not None and not frame.f_code.co_filename.startswith(ASYNCIO_DIR):
        callback, frame = frame, frame.f_back
    return callback


def _application_frames(frame: FrameType | None, most: int) -> list[FrameType]:
    """Up to `most` frames of the application's own code (the tests' too), innermost first;
    when the loop runs none, the innermost frame."""
    found: list[FrameType] = []
    innermost = frame
    while frame is not None and len(found) < most:
        path = frame.f_code.co_filename
        if path.startswith(PACKAGE_DIR) or not path.startswith(LIBRARIES):
            found.append(frame)
        frame = frame.f_back
    return found or ([innermost] if innermost is not None else [])


def _described(frame: FrameType) -> str:
    code = frame.f_code
    module = frame.f_globals.get("__name__", "?")
    return f"{module}.{code.co_qualname} ({Path(code.co_filename).name}:{frame.f_lineno})"
