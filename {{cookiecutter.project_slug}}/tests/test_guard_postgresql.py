"""PostgreSQL: named constraints, read-only read sessions, a pool that survives disconnects."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from {{ cookiecutter.package_name }}.db.session import Database

PREFIXES = {"p": "pk_", "f": "fk_", "u": "uq_", "c": "ck_"}
CONSTRAINTS = text(
    "SELECT conname, contype, conrelid::regclass::text FROM pg_constraint "
    "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'alembic_version'"
)
INDEXES = text(
    "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public' "
    "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
)


def test_constraint_names_come_from_the_naming_convention(fresh_engine: Engine) -> None:
    with fresh_engine.connect() as connection:
        constraints = connection.execute(CONSTRAINTS).all()
        indexes = connection.execute(INDEXES).all()
    unnamed = [
        f"{table}: {name}"
        for name, kind, table in constraints
        if kind in PREFIXES and not name.startswith(PREFIXES[kind])
    ] + [f"{table}: {name}" for name, table in indexes if not name.startswith("ix_")]
    assert constraints, "no constraints found: was the schema migrated?"
    assert not unnamed, (
        f"constraints named by the server, not by Base.metadata's naming convention: {unnamed}. "
        "Migrations must name every constraint (op.f(...)) so later ones can drop it"
    )


def test_read_sessions_are_read_only(database: Database) -> None:
    with database.read_sessions() as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "on"
    with database.sessions() as session:
        assert session.scalar(text("SHOW transaction_read_only")) == "off"


def test_pool_recovers_when_the_server_drops_connections(
    app: FastAPI, fresh_engine: Engine
) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(3):
            assert client.get("/readyz").status_code == 200
        with fresh_engine.connect() as connection:
            dropped = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        assert dropped, "the app held no connection to drop"
        response = client.get("/users")
    assert response.status_code == 200, (
        f"the first request after the server dropped the pooled connections answered "
        f"{response.status_code}: enable pool_pre_ping so dead connections are replaced"
    )
