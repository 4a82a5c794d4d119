"""What routes are given besides their parameters."""

from typing import Annotated, Any, Final

from fastapi import Depends, Request

{% if cookiecutter.auth == "password" -%}
from ..auth.access import owned_by, role
{% endif -%}
from ..db.session import Database


async def _database(request: Request) -> Database:
    # async, so FastAPI resolves it in the event loop without taking a thread.
    database: Database = request.app.state.database
    return database


DatabaseDep = Annotated[Database, Depends(_database)]
{%- if cookiecutter.auth == "password" %}

# Who may change the tags, which every member's tasks share: admins; members read them.
EDITORS: Final[list[Any]] = [role("admin")]
{%- else %}


async def owned_by() -> int | None:
    """Whose projects and tasks a request sees and changes: everyone's (None), as no caller
    signs in."""
    return None


# Who may change the tags, which every task shares: anyone, as no caller signs in.
EDITORS: Final[list[Any]] = []
{%- endif %}


# The user whose rows a route may see and change, None for every user's (services/rows.py).
OwnedBy = Annotated[int | None, Depends(owned_by)]
