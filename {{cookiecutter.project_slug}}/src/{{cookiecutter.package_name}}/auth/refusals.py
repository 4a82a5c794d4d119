"""The OpenAPI document names what each route's declaration may answer (access.py): 401 for a
route for the signed-in, 403 too for a route for a role, so that a client made from the
document expects them."""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from ..errors import PROBLEM_JSON
from .access import Role, signed_in


def dependencies_of(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """What a route depends on, its dependencies' dependencies too."""
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from dependencies_of(dependency)


def refusals(calls: set[Callable[..., Any]]) -> dict[str, dict[str, Any]]:
    """The responses, by status, of a route that depends on `calls`, to callers it refuses."""
    found = {}
    if signed_in in calls:
        found["401"] = _problem("Not signed in, or the access token is not valid")
    if any(isinstance(call, Role) for call in calls):
        found["403"] = _problem("Signed in, but not of the role the route is for")
    return found


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}  # errors.Problem, every operation's
    return {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}


def document_refusals(app: FastAPI) -> None:
    """app.openapi, with each operation's refusals among its responses."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()  # cached on the app: what is added below lasts
        for context in iter_route_contexts(app.routes):
            if not isinstance(context.original_route, APIRoute):
                continue
            found = refusals(set(dependencies_of(context.dependant)))
            operations = schema["paths"].get(context.path_format, {})
            for method in context.methods or ():
                answers = operations.get(method.lower(), {}).get("responses", {})
                for status, response in found.items():
                    answers.setdefault(status, response)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
