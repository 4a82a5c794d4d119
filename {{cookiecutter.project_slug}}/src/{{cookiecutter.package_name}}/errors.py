"""Domain errors, and the one shape every error answers in.

Every 4xx and 5xx is an RFC 9457 problem (`application/problem+json`): `type`, `title`,
`status`, `detail`, the request's id, and `errors` when the request does not match the
schema. Services raise the typed errors below; handlers.py turns them, and every other error,
into a problem.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .logs import REQUEST_ID

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
    headers: ClassVar[Mapping[str, str] | None] = None  # what each error of the class answers

    def __init__(self, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.answer_headers = {**(self.headers or {}), **(headers or {})}  # and this one's own


class Forbidden(AppError):
    status_code = 403


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
