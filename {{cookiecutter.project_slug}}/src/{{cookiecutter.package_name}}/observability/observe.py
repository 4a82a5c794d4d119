"""Traces and metrics on an app: what create_app calls."""

from fastapi import FastAPI

from ..db.traces import trace_statements
from ..settings import Settings
from .metrics import router
from .pool import count_connections_in_use
from .requests import Counted
from .traces import export_traces


def observe(app: FastAPI, settings: Settings) -> None:
    """Trace the app's database work (FastAPI traces its requests: TELEMETRY), count its
    requests and connections, and serve /metrics."""
    export_traces(settings.otel_traces_exporter)
    trace_statements()
    count_connections_in_use()
    pages = (app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(Counted, documents=frozenset(page for page in pages if page))
    app.include_router(router)
