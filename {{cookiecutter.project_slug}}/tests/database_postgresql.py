"""What the tests ask of a PostgreSQL database: its driver's name, a statement that sleeps, a
lock held from elsewhere, settings the service cannot run with, statements that read no index.
The databases themselves, and their copies, come from tests/postgresql_server.py."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text

from tests.postgresql_server import connected, truncate
from tests.postgresql_server import copy_of as copy_of
from tests.postgresql_server import template_database as template_database

DRIVER = "psycopg"  # the DB-API module, as its errors name it
# A statement that takes :seconds, leaving the cores to the rest.
SLEEP = text("SELECT pg_sleep(:seconds)")


@contextmanager
def sleep_in_sql() -> Iterator[None]:
    """Nothing to define: PostgreSQL has pg_sleep."""
    yield


def engine_for(url: str) -> Engine:
    """An engine of the test's own (PostgreSQL enforces foreign keys on every connection)."""
    return create_engine(url)


@contextmanager
def write_lock_held_elsewhere(url: str, table: str) -> Iterator[None]:
    """Hold a lock that makes writes to the table wait, from another connection, as another
    process would; reads go on."""
    with connected(url) as connection:
        connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        yield


def empty(url: str) -> None:
    """Delete every row (Alembic's version aside); new ids start from 1 again, as in a new
    database."""
    with connected(url) as connection:
        truncate(connection)


def unusable(url: str, directory: Path) -> dict[str, tuple[dict[str, str], str]]:
    """Settings of this database the service cannot run with, by what is wrong: the
    environment, and a part of the one line the command line answers with."""
    server = make_url(url).set(password="not-to-be-shown")  # the server may trust anyone
    wrong = {
        "a port nothing listens on": server.set(host="127.0.0.1", port=1),
        "a database that does not exist": server.set(database="no_such_database"),
        "a user that does not exist": server.set(username="no_such_user"),
    }
    return {
        "no statement timeout": ({"STATEMENT_TIMEOUT_MS": "0"}, "STATEMENT_TIMEOUT_MS='0'"),
        **{
            what: (
                {"DATABASE_URL": wrong_url.render_as_string(hide_password=False)},
                f"(DATABASE_URL={wrong_url.render_as_string(hide_password=True)})",
            )
            for what, wrong_url in wrong.items()
        },
    }


# Plans that read beyond an index's order: the planner takes them only where it must.
_NO_SHORTCUTS = (
    "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;"
    " SET LOCAL enable_sort = off; SET LOCAL enable_incremental_sort = off"
)


def unindexed(url: str, statement: str, parameters: Any) -> list[str]:
    """What in the plan of a page's statement reads beyond an index's order: a sort, a table
    read whole, or rows an index found and a filter then drops."""
    with connected(url) as connection:
        connection.exec_driver_sql(_NO_SHORTCUTS)
        explained = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        document: Any = explained.scalar_one()
    plan = document[0]["Plan"]
    problems = []
    for node in _nodes(plan):
        kind, table = node["Node Type"], node.get("Relation Name", "")
        if "Sort" in kind:
            problems.append(f"sorts ({', '.join(node.get('Sort Key', []))})")
        elif "Seq Scan" in kind:
            problems.append(f"reads {table} whole")
        elif "Filter" in node:
            problems.append(f"filters what {node.get('Index Name')} found ({node['Filter']})")
    return problems


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)
