"""The application factory, and the ASGI app (`app` in this module) built lazily from it.

Importing this module builds nothing and connects to nothing: the app is built on first
access to `app` (or `get_app()`), exactly once even when several threads ask at once, and
the database engine lives only between the app's startup and shutdown.
"""

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from .api import routers
{%- if cookiecutter.auth == "password" %}
from .auth import passwords
from .auth.access import Auth
from .auth.refusals import document_refusals
{%- endif %}
from .db.session import Database
from .errors import ANY_ERROR
{%- if cookiecutter.observability == "opentelemetry" %}
from .observability.observe import observe
from .observability.traces import TELEMETRY
from .observability.waits import measured
{%- endif %}
from .settings import Settings
from .web.handlers import install_error_handlers
from .web.limits import BodyLimits
from .web.loop_watch import watching
from .web.middleware import HeadAsGet, RequestContext

TITLE = {{ cookiecutter.project_name | python_string(92) }}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Database.opened(settings) as database, watching(settings.blocked_loop_warn_ms):
{%- if cookiecutter.observability == "opentelemetry" %}
            database = measured(database)  # its waits counted at /metrics
{%- endif %}
            app.state.database = database
{%- if cookiecutter.auth == "password" %}
            await passwords.prepare()  # the first unknown e-mail takes no longer than the next
{%- endif %}
            # What start-up built lives as long as the worker: kept out of the collector's
            # sight, the full collections a load sets off take a fraction of the time (the
            # bench's 99th percentile at 32 clients fell by about half).
            gc.freeze()
            yield

    app = FastAPI(
        title=TITLE,
        lifespan=lifespan,
        # /users/ is a 404, not a redirect to the host the request's Host header names.
        redirect_slashes=False,
        # An operation's id is its function's name: what client generators name methods.
        generate_unique_id_function=lambda route: route.name,
{%- if cookiecutter.observability == "opentelemetry" %}
        telemetry=TELEMETRY,  # a span for each request but the probes'
{%- endif %}
    )
{%- if cookiecutter.auth == "password" %}
    app.state.auth = Auth.of(settings)
{%- endif %}
    install_error_handlers(app)
{%- if cookiecutter.auth == "password" %}
    document_refusals(app)
{%- endif %}
    app.add_middleware(BodyLimits, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RequestContext)  # outermost: the limits' answers carry the request id
{%- if cookiecutter.observability == "opentelemetry" %}
    observe(app, settings)  # spans of the database work, and /metrics
{%- endif %}
    # Side by side, not under one parent router: each level of nesting costs every
    # request a second route match.
    for router in routers:
        app.include_router(router, responses=ANY_ERROR)
    return app


_app: FastAPI | None = None
_app_lock = threading.Lock()


def get_app() -> FastAPI:
    global _app
    if _app is None:
        with _app_lock:
            if _app is None:
                _app = create_app()
    return _app


def __getattr__(name: str) -> FastAPI:
    if name == "app":
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
