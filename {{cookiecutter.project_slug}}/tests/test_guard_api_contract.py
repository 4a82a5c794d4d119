"""Any request an API fuzzer makes keeps the contract the OpenAPI document states: no 5xx,
a request the document allows is not refused, every response matches the schema declared
for its status, and no error body shows the driver's or Python's words.

Each operation gets generated requests; then sequences chain operations through the links
Schemathesis infers (create, then read, change and delete what was created), each from an
empty database.{% if cookiecutter.auth == "password" %} Every request carries an access token: an admin's, so that every
operation is in reach, and for each operation a member's too.{% endif %}

The examples are derandomized, so a run repeats exactly; for a longer search:
FUZZ_EXAMPLES=500 uv run pytest tests/test_guard_api_contract.py
"""

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import BaseSchema, Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
)

{% if cookiecutter.auth == "password" -%}
from {{ cookiecutter.package_name }}.auth.tokens import Caller, Tokens
{% endif -%}
from {{ cookiecutter.package_name }}.settings import Settings

from tests.database import empty
from tests.problems import INTERNALS
from tests.server import serving


@schemathesis.check
def no_internals(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    if response.status_code >= 400 and (said := INTERNALS.search(response.text)):
        raise AssertionError(
            "an error body tells the client what to do, never what the driver said (handlers.py): "
            f"a {response.status_code} body says {said[0]!r}: {response.text[:500]}"
        )
    return None


@schemathesis.check
def allowed_data_accepted(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    """Schemathesis's positive_data_acceptance, but for a list's cursor: the document cannot
    say which strings were a page's next_cursor, and one that was not is a 422 naming the
    cursor (keyset.py; tests/test_api.py sends such cursors)."""
    refused = response.status_code == 422 and "cursor" in response.json().get("detail", "")
    if refused and "cursor" in (case.query or {}):
        return None
    return positive_data_acceptance(ctx, response, case)


{% if cookiecutter.auth == "password" -%}
@schemathesis.check
def signed_in_throughout(ctx: Any, response: Response, case: Case[Any]) -> bool | None:
    """A request refused for its access token reached none of what the fuzzer tests."""
    if response.status_code == 401 and "access token" in response.json().get("detail", ""):
        raise AssertionError(f"the fuzzer's access token was refused: {response.text[:300]}")
    return None


CHECKS = [
    not_a_server_error,
    allowed_data_accepted,
    response_schema_conformance,
    no_internals,
    signed_in_throughout,
]
{%- else -%}
CHECKS = [not_a_server_error, allowed_data_accepted, response_schema_conformance, no_internals]
{%- endif %}
FUZZING = hypothesis_settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")),
    derandomize=True,
    # No shrinking: replayed against a database that kept the first run's rows, a sequence
    # takes another path, and Hypothesis reports its own confusion instead of the failure.
    phases=[Phase.explicit, Phase.generate],
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
SEQUENCES = hypothesis_settings(FUZZING, stateful_step_count=10)
{%- if cookiecutter.auth == "password" %}

pytestmark = pytest.mark.tokens  # the app as deployed (conftest.py)
{%- endif %}


{% if cookiecutter.auth == "password" -%}
@pytest.fixture
def api(app: FastAPI, request: pytest.FixtureRequest) -> Iterator[BaseSchema]:
    """The app's own OpenAPI document, served by a real uvicorn; the requests carry an access
    token of the role the test names (an admin's, unless it names one), made with the app's
    key, for an account no row holds."""
    with serving(app) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        tokens: Tokens = app.state.auth.tokens
        caller = Caller(account_id=1, user_id=1, role=getattr(request, "param", "admin"))
        token = tokens.issue(caller)
        schema.config.update(headers={"Authorization": f"Bearer {token}"})
        yield schema
{%- else -%}
@pytest.fixture
def api(app: FastAPI) -> Iterator[BaseSchema]:
    """The app's own OpenAPI document, served by a real uvicorn."""
    with serving(app) as url:
        yield schemathesis.openapi.from_url(f"{url}/openapi.json")
{%- endif %}

{% if cookiecutter.auth == "password" %}
# A member reaches answers an admin never gets: another's project, someone else's owner_id.
@pytest.mark.parametrize("api", ["admin", "member"], indirect=True)
{%- endif %}
def test_every_operation_keeps_the_contract(api: BaseSchema) -> None:
    for result in api.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI document is invalid: {result}"
        operation = result.ok()

        @FUZZING
        @given(case=operation.as_strategy())
        def fuzz(case: Case[Any]) -> None:
            case.call_and_validate(checks=CHECKS)

        fuzz()


def test_a_method_not_allowed_names_every_method_of_the_path(
    app: FastAPI, client: TestClient
) -> None:
    """RFC 9110: a 405's Allow lists the methods the resource takes, all of them."""
    for path, operations in app.openapi()["paths"].items():
        url = re.sub(r"{[^}]+}", "1", path)
        response = client.put(url)  # a method no path of the document takes
        assert response.status_code == 405, f"PUT {url}: {response.status_code}"
        documented = {method.upper() for method in operations}
        documented |= {"HEAD"} if "GET" in documented else set()  # middleware.py's HeadAsGet
        allowed = response.headers.get("allow", "").split(", ")
        assert allowed == sorted(documented), (
            f"PUT {url}: 405 with Allow {allowed}, but the document lists {sorted(documented)} "
            f"for {path}: name every route's methods (_documented_methods in handlers.py)"
        )


def test_sequences_of_operations_keep_the_contract(api: BaseSchema, settings: Settings) -> None:
    class Sequences(api.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Each sequence starts from an empty database, so a replay takes the same path.
            empty(settings.database_url)

        def validate_response(
            self, response: Response, case: Case[Any], *args: Any, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS)

    Sequences.run(settings=SEQUENCES)
