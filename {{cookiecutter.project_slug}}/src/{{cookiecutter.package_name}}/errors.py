"""Domain errors, and the handlers that turn every error into one response shape.

Every 4xx and 5xx is an RFC 9457 problem (`application/problem+json`): `type`, `title`,
`status`, `detail`, the request's id, and `errors` when the request does not match the
schema. Services raise the typed errors below; the database's refusals become 409 or 422
naming what was refused; anything else propagates, rolls the transaction back and becomes,
in middleware.py, a 500 whose body reveals nothing while the log keeps the traceback.
"""

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import (
    CheckConstraint,
    Constraint,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as DatabaseTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from .db.base import Base
from .db.dialect import conflicted, unavailable, violated_constraints
from .logs import REQUEST_ID

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# The headers of an answer after which the server closes the connection.
CLOSE = {"Connection": "close"}


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None  # only when the request does not match the schema
    request_id: str | None = None  # as in the X-Request-ID header: quote it to find the logs


class AppError(Exception):
    status_code = 500
    headers: ClassVar[Mapping[str, str] | None] = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class InvalidCursor(AppError):
    """A list's cursor that no page of it gave (keyset.py)."""

    status_code = 422


class Unavailable(AppError):
    """The database is down or unreachable: worth a retry in a few seconds."""

    status_code = 503
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "5"}


class Busy(Unavailable):
    """Concurrent requests kept changing the same rows (the write ran as often as it may), or
    the request waited for the database as long as it may: a retry soon succeeds."""

    headers: ClassVar[Mapping[str, str]] = {"Retry-After": "1"}


# Declared on every operation: whatever fails, the body is a Problem.
ANY_ERROR: dict[int | str, dict[str, Any]] = {
    "default": {"model": Problem, "description": "Any error, as RFC 9457 problem details"}
}


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors a route answers with by design."""
    return {error.status_code: {"model": Problem} for error in errors}


def problem(
    status: int,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:  # a code outside the standard's list
        title = "Error"
    body = Problem(
        title=title, status=status, detail=detail, errors=errors, request_id=REQUEST_ID.get()
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_JSON,
    )


def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(exc.status_code, exc.detail, headers=exc.headers)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette's own: no such route (404), method not allowed (405).
    assert isinstance(exc, HTTPException)
    headers = exc.headers
    if exc.status_code == 405 and (methods := _documented_methods(request.app, request.url.path)):
        headers = {"Allow": ", ".join(methods)}
    return problem(exc.status_code, str(exc.detail), headers=headers)


def _documented_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for `path`, and HEAD with GET. (Starlette's
    Allow names only those of the first route on the path: GET /tasks and POST /tasks are
    two routes.)"""
    for template, operations in app.openapi()["paths"].items():
        if compile_path(template)[0].match(path):
            methods = {method.upper() for method in operations}
            return sorted((methods | {"HEAD"}) if "GET" in methods else methods)
    return []


def _invalid_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Without each error's input: a request's values are not echoed back, nor logged.
    errors = [FieldError.model_validate(error) for error in exc.errors()]
    return problem(422, "the request does not match the API's schema", errors)


def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    # The database, not a read-before-write check, enforces uniqueness and references.
    assert isinstance(exc, IntegrityError)
    deleting = (exc.statement or "").lstrip().upper().startswith("DELETE")
    return problem(409, _refusal(violated_constraints(exc, Base.metadata), deleting))


def _refusal(constraints: list[Constraint], deleting: bool) -> str:
    """What a client can act on: which fields are taken, which reference is missing or
    still held, which rule a value breaks."""
    names = ", ".join(str(constraint.name) for constraint in constraints)
    references = [c for c in constraints if isinstance(c, ForeignKeyConstraint)]
    if references and deleting:
        holders = " or ".join(sorted({c.table.name for c in references}))
        return f"rows of {holders} still refer to it ({names})"
    if references:
        missing = " or ".join(
            f"{', '.join(c.column_keys)} refers to no row of {c.referred_table.name}"
            for c in references
        )
        return f"{missing} ({names})"
    taken = [c for c in constraints if isinstance(c, UniqueConstraint | PrimaryKeyConstraint)]
    if taken:
        fields = " and ".join(column.name for column in taken[0].columns)
        return f"another row of {taken[0].table.name} has this {fields} ({names})"
    if any(isinstance(c, CheckConstraint) for c in constraints):
        return f"a value breaks the rule {names}"
    return "the change conflicts with stored data"


def _unstorable_value(_: Request, exc: Exception) -> JSONResponse:
    # A value the schema let through that the database cannot store: a number beyond its
    # column's range, a character its text type refuses.
    log.info("database refused a value: %s", driver_message(exc))
    return problem(422, "a value cannot be stored: out of range, or a character not allowed")


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The database is down, unreachable or overloaded: the client may retry; we keep the cause.
    assert isinstance(exc, OperationalError)
    if conflicted(exc):
        return _busy(request, exc)
    if not unavailable(exc):
        # A bug (a write through a read session), not an outage: a retry cannot help.
        log.error("the database refused the work", exc_info=exc)
        return problem(500, "internal server error")
    # One line, not a traceback: during an outage every request fails the same way.
    log.warning("database unavailable: %s", driver_message(exc))
    return _app_error(request, Unavailable("database unavailable, retry later"))


def _busy(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database busy: %s", driver_message(exc))
    return _app_error(request, Busy("the database is busy with concurrent requests, retry"))


def driver_message(exc: Exception) -> str:
    """What the driver said, in one line: without the statement SQLAlchemy appends."""
    return str(getattr(exc, "orig", None) or exc).partition("\n")[0]


def _documented_as_problems(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """app.openapi, with every error response's body under the problem media type; the
    document is built and rewritten once, then served from the app's cache."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()  # cached on the app: the rewrite below lasts
        operations = (op for path in schema["paths"].values() for op in path.values())
        for operation in operations:
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if not status.startswith(("1", "2", "3")) and "application/json" in content:
                    content[PROBLEM_JSON] = content.pop("application/json")
        return schema

    return openapi


def install_error_handlers(app: FastAPI) -> None:
    app.openapi = _documented_as_problems(app)  # type: ignore[method-assign]
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _unstorable_value)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(StaleDataError, _busy)
    app.add_exception_handler(DatabaseTimeout, _busy)
