"""Who may call each route: every route declares it (auth/access.py), and a route that is not
public answers 401 to a caller without a valid access token, whatever the token pretends."""

import datetime as dt
import re
import warnings
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from jwt.warnings import InsecureKeyLengthWarning
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.auth.access import DECLARATIONS, Role, signed_in
from {{ cookiecutter.package_name }}.auth.refusals import dependencies_of
from {{ cookiecutter.package_name }}.auth.tokens import ALGORITHM, Caller, Tokens

from tests.factories import new_account, new_user
from tests.problems import assert_problem

pytestmark = pytest.mark.tokens  # the app as deployed (conftest.py)

Route = tuple[str, str]  # (method, path)


def declarations(app: FastAPI) -> dict[Route, set[Callable[..., Any]]]:
    """Each operation of the app's, every router's, with the declarations it depends on (its
    router's and those given where the router is included too)."""
    found: dict[Route, set[Callable[..., Any]]] = {}
    unread = []
    pages = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            declared = set(dependencies_of(context.dependant)) & set(DECLARATIONS)
            for method in sorted(context.methods or ()):
                found[method, context.path or ""] = declared
        elif context.path not in pages:  # FastAPI's own: the documents of the API
            unread.append(f"{type(context.original_route).__name__} {context.path}")
    assert not unread, (
        f"routes whose callers this guard cannot check (a mount, a WebSocket): {unread}. "
        "Serve them from an APIRouter, or check who may call them in a test of their own"
    )
    return found


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    found = declarations(app)
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    unseen = sorted(f"{method} {path}" for method, path in documented - found.keys())
    assert not unseen, f"operations of the API this guard did not find among the routes: {unseen}"
    undeclared = sorted(
        f"{method} {path}" for (method, path), declared in found.items() if not declared
    )
    assert not undeclared, (
        f"routes that declare nobody who may call them: {undeclared}. Add PUBLIC, a SignedIn "
        "parameter or role(...) to each, or to its router's dependencies (auth/access.py)"
    )
    both = sorted(
        f"{method} {path}" for (method, path), declared in found.items() if len(declared) > 1
    )
    assert not both, f"routes declared public and for the signed-in alike: {both}"


def test_the_document_names_whom_each_route_refuses(app: FastAPI) -> None:
    """A client made from the OpenAPI document expects the 401 of each route for the
    signed-in, and the 403 of each route for a role."""
    paths = app.openapi()["paths"]
    unnamed = []
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        calls = set(dependencies_of(context.dependant))
        expected = {"401"} if signed_in in calls else set()
        expected |= {"403"} if any(isinstance(call, Role) for call in calls) else set()
        for method in context.methods or ():
            listed = paths[context.path_format][method.lower()]["responses"]
            if missing := sorted(expected - set(listed)):
                unnamed.append(f"{method} {context.path_format}: {missing}")
    assert not unnamed, (
        "operations whose refusals the OpenAPI document does not list, though their "
        f"declarations answer them (auth/refusals.py): {unnamed}"
    )


def made_up(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def forged_tokens(tokens: Tokens, caller: Caller) -> dict[str, str]:
    """Tokens a client could make up, each of the caller's account, none valid."""
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": str(caller.account_id), "uid": caller.user_id, "role": "admin", "iat": now}
    unexpired = claims | {"exp": now + dt.timedelta(minutes=5)}
    key = tokens.key.get_secret_value()
    with warnings.catch_warnings():  # HS512 wants a longer key than HS256's
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        other_algorithm = jwt.encode(unexpired, key, algorithm="HS512")
    return {
        "none": "",
        "not a token": "not.a.token",
        "signed with another key": Tokens(SecretStr(key[::-1]), tokens.lifetime).issue(caller),
        "expired": Tokens(tokens.key, dt.timedelta(minutes=-5)).issue(caller),
        "without an expiry": jwt.encode(claims, key, algorithm=ALGORITHM),
        "of the `none` algorithm": jwt.encode(unexpired, None, algorithm="none"),
        "of another algorithm, with the key": other_algorithm,
    }


def test_a_route_for_the_signed_in_refuses_every_other_caller(
    app: FastAPI, client: TestClient, arrange: sessionmaker[Session]
) -> None:
    guarded = [route for route, declared in declarations(app).items() if signed_in in declared]
    assert guarded, "no route is for the signed-in only: nothing to check"
    with arrange.begin() as session:
        account = new_account(session, new_user(session))
    tokens: Tokens = app.state.auth.tokens
    caller = Caller.of(account)
    let_in = []
    for method, path in guarded:
        for what, token in forged_tokens(tokens, caller).items():
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            try:
                response = client.request(method, made_up(path), headers=headers)
            except Exception as error:  # the route failed, rather than refuse
                let_in.append(f"{method} {path} with a token {what}: raised {error!r}")
                continue
            if response.status_code != 401:
                let_in.append(f"{method} {path} with a token {what}: {response.status_code}")
            else:
                assert_problem(response, 401, f"{method} {path}")
                challenge = response.headers.get("www-authenticate", "")
                assert challenge.startswith("Bearer"), response.headers
    assert not let_in, (
        "routes for the signed-in that did not answer 401 to a caller without a valid token "
        "(signed_in in auth/access.py, Tokens.verified in auth/tokens.py):\n" + "\n".join(let_in)
    )
    valid = {"Authorization": f"Bearer {tokens.issue(caller)}"}
    assert client.get("/accounts/me", headers=valid).status_code == 200, "a valid token refused"
