"""Domain errors and the handlers that turn them into HTTP responses.

Services raise these typed errors; anything else propagates, rolls the transaction back and
becomes a 500 whose body reveals nothing while the log keeps the traceback.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError

log = logging.getLogger(__name__)


class Problem(BaseModel):
    detail: str


class AppError(Exception):
    status_code = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(AppError):
    status_code = 404


class Conflict(AppError):
    status_code = 409


class Invalid(AppError):
    status_code = 422


class Unavailable(AppError):
    status_code = 503


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors a route can answer with."""
    return {error.status_code: {"model": Problem} for error in errors}


def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)


def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    # The database, not a read-before-write check, enforces uniqueness and references.
    reason = str(getattr(exc, "orig", exc)).splitlines()[0]
    return JSONResponse({"detail": f"conflicts with stored data: {reason}"}, status_code=409)


def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    # The database is down, unreachable or overloaded: the client may retry; we keep the cause.
    log.error("database unavailable", exc_info=exc)
    return JSONResponse(
        {"detail": "database unavailable, retry later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": "internal server error"}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
