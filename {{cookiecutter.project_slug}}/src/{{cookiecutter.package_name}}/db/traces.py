"""Spans of the database work: one for each unit of work (a service run by Database.read or
Database.write), and one for each statement it runs, its child.

The statements' come from SQLAlchemy's own cursor events, on every engine at once (an async
engine's statements run on its sync_engine), and only inside a span: the probes', which are
not traced, and the migrations' make none. A span holds the statement with its placeholders,
never the values bound to them. (opentelemetry-instrumentation-sqlalchemy refuses
SQLAlchemy 2.1.)
"""

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar, cast

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext

tracer = trace.get_tracer(__name__)

Method = TypeVar("Method", bound=Callable[..., Awaitable[Any]])

# On a connection's info: the span of each statement it runs, None where it makes none.
SPANS: Final = "spans"


def traced(method: Method) -> Method:
    """Database.read or .write, each service it runs a span named for both, inside a span
    (not the probes'). A service that raises an error the client is answered for (a 404:
    anything with a status_code below 500) has not failed; any other error marks the span
    failed."""

    @functools.wraps(method)
    async def in_a_span(database: Any, work: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not trace.get_current_span().is_recording():
            return await method(database, work, *args, **kwargs)
        qualname = getattr(work, "__qualname__", type(work).__qualname__)
        service = f"{work.__module__}.{qualname}"
        name = f"{method.__name__} {service.rpartition('.services.')[2]}"
        with tracer.start_as_current_span(
            name,
            attributes={"code.function.name": service},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                return await method(database, work, *args, **kwargs)
            except Exception as error:
                if getattr(error, "status_code", 500) >= 500:
                    span.record_exception(error)
                    span.set_status(StatusCode.ERROR)
                raise

    return cast(Method, in_a_span)


def trace_statements() -> None:
    """A span for each statement of every engine, inside a span."""
    for name, listener in (
        ("before_cursor_execute", _began),
        ("after_cursor_execute", _ended),
        ("handle_error", _failed),
    ):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)


def _began(connection: Connection, _: Any, statement: str, *__: Any) -> None:
    span: Span | None = None
    if trace.get_current_span().is_recording():
        operation = statement.split(maxsplit=1)[0].upper()
        attributes = {
            "db.system.name": connection.dialect.name,
            "db.operation.name": operation,
            "db.query.text": statement,
        }
        span = tracer.start_span(operation, kind=SpanKind.CLIENT, attributes=attributes)
    connection.info.setdefault(SPANS, []).append(span)


def _ended(connection: Connection, *_: Any) -> None:
    if (span := connection.info[SPANS].pop()) is not None:
        span.end()


def _failed(context: ExceptionContext) -> None:
    spans = context.connection.info.get(SPANS) if context.connection is not None else None
    if not spans or context.execution_context is None:  # no statement of ours failed
        return
    if (span := spans.pop()) is not None:
        span.record_exception(context.original_exception)
        span.set_status(StatusCode.ERROR)
        span.end()
