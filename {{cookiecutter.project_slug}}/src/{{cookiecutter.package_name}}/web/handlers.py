"""The handlers that turn every error into a problem (errors.py), and the OpenAPI document
that says so.

The database's refusals become 409 or 422 naming what was refused, its outages 503; anything
else propagates, rolls the transaction back and becomes, in middleware.py, a 500 whose body
reveals nothing while the log keeps the traceback.
"""

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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

from ..db.base import Base
from ..db.dialect import conflicted, unavailable, violated_constraints
from ..errors import PROBLEM_JSON, AppError, Busy, FieldError, Unavailable, problem

log = logging.getLogger(__name__)


def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(exc.status_code, exc.detail, headers=exc.answer_headers)


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
