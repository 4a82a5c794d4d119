"""PostgreSQL's two pools: reads read-only and in no transaction, writes read-write whatever a
connection's default, both pools healing once the server drops their connections.
"""

from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from {{ cookiecutter.package_name }}.settings import Settings

from tests.problems import in_process
from tests.sessions import in_session


def read_only(session: Session) -> str:
    return str(session.scalar(text("SHOW transaction_read_only")))


def test_read_sessions_are_read_only(settings: Settings) -> None:
    assert in_session(settings, read_only, read=True) == "on", (
        "read sessions run read-write on the server: the readers' connections must set "
        "default_transaction_read_only (read_engine in db/dialect/connections.py), so the "
        "server refuses their writes"
    )
    assert in_session(settings, read_only) == "off"


def in_one_transaction(session: Session) -> bool:
    began = {session.scalar(text("SELECT transaction_timestamp()")) for _ in range(2)}
    return len(began) == 1


def test_reads_begin_no_transaction(settings: Settings) -> None:
    assert not in_session(settings, in_one_transaction, read=True), (
        "read sessions send BEGIN before their statements and ROLLBACK after them, two round "
        "trips more per read that give nothing at READ COMMITTED: the readers' engine must "
        "commit each statement on its own (READS in db/dialect/connections.py)"
    )
    assert in_session(settings, in_one_transaction), "a write began no transaction"


def test_writes_begin_read_write_where_connections_start_read_only(
    settings: Settings, fresh_engine: Engine
) -> None:
    """Behind a pooler in transaction mode, a writer may get the server connection a reader
    left read-only: here every new connection starts so."""
    database = f'DATABASE "{fresh_engine.url.database}"'
    with fresh_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        admin.exec_driver_sql(f"ALTER {database} SET default_transaction_read_only = on")
        try:
            mode = in_session(settings, read_only)
        finally:
            admin.exec_driver_sql(f"ALTER {database} RESET default_transaction_read_only")
    assert mode == "off", (
        "a write began read-only on a connection whose default is read-only: writers' "
        "transactions must begin READ WRITE (WRITES in db/dialect/connections.py)"
    )


def test_pool_recovers_when_the_server_drops_connections(
    app: FastAPI, fresh_engine: Engine
) -> None:
    with in_process(app, raise_server_exceptions=False) as client:
        for number in range(3):
            assert client.get("/readyz").status_code == 200
            assert client.post("/tags", json={"name": f"before-{number}"}).status_code == 201
        with fresh_engine.connect() as connection:
            dropped = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        assert dropped, "the app held no connection to drop"
        answers = [client.get("/users"), client.post("/tags", json={"name": "after"})]
    for response in answers:
        assert response.status_code in (200, 201), (
            f"the first {response.request.method} after the server dropped the pooled "
            f"connections answered {response.status_code}: enable pool_pre_ping so dead "
            "connections are replaced"
        )
