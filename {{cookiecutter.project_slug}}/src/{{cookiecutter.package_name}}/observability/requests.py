"""Each request but the probes' and /metrics', counted at /metrics by route and status, and
timed.

A route is its path's template (/tags/{tag_id}), never the path itself, and a method one of
HTTP's: no client can make up new series.
"""

import time
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import DURATION, REQUESTS
from .traces import UNTRACED

METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED: Final = "unmatched"  # the route of a request no route took (a 404)


class Counted:
    """Counts each request once its response is sent, or it failed. `documents`: the paths of
    FastAPI's own pages (/docs, /openapi.json), whose routes it leaves out of the scope."""

    def __init__(self, app: ASGIApp, documents: frozenset[str]) -> None:
        self.app = app
        self.documents = documents
        # Each series' own counter and histogram, found once (prometheus_client's labels()
        # takes a lock and builds a key at each call).
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNTRACED:
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500  # what a request that raises answers

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "_OTHER"
            route = getattr(scope.get("route"), "path", None)
            if route is None:
                route = scope["path"] if scope["path"] in self.documents else UNMATCHED
            if (series := self._series.get((method, route, status))) is None:
                series = REQUESTS.labels(method, route, str(status)), DURATION.labels(method, route)
                self._series[method, route, status] = series
            requests, duration = series
            requests.inc()
            duration.observe(time.perf_counter() - began)
