"""The variants whose generated projects are installed and run in full."""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url

from tests.rendering import render, run

FULL_VARIANTS: dict[str, dict[str, str]] = {
    # With Docker, under a name with an apostrophe, quotes and an accent. The default render
    # runs in full in the first-hour test (its README's commands on a fresh machine).
    "sqlite": {"docker": "yes", "project_name": 'Bob\'s "Café" API'},
    # Docker and the GitLab pipeline in one PostgreSQL render: the others run GitHub's.
    # Traces and metrics on one variant of each database and each session style.
    "postgresql-docker": {
        "database": "postgresql",
        "docker": "yes",
        "ci": "gitlab",
        "observability": "opentelemetry",
    },
    "sqlite-async": {"session_style": "async", "observability": "opentelemetry"},
    # Accounts (auth) on one variant of each database and each session style: the others
    # serve their sample rows to the benchmark, the crash test and the containers unsigned.
    "postgresql-async": {"database": "postgresql", "session_style": "async", "auth": "password"},
    "sqlite-auth": {"auth": "password"},
}
DOCKER_VARIANTS = [
    name for name, answers in FULL_VARIANTS.items() if answers.get("docker") == "yes"
]


@dataclass
class Variant:
    name: str
    answers: dict[str, str]
    project: Path
    # What the project's tests and its service need: TEST_POSTGRES_URL, DATABASE_URL.
    env: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.project.name

    def bin(self, name: str) -> str:
        return str(self.project / ".venv" / "bin" / name)


def params(names: list[str]) -> list[Any]:
    """Parameters that keep each variant's tests on one xdist worker, where it is prepared."""
    return [pytest.param(name, marks=pytest.mark.xdist_group(name)) for name in names]


def prepare(name: str, directory: Path, postgres_url: str | None) -> Variant:
    """Render the variant and install it into a fresh environment with uv."""
    answers = FULL_VARIANTS[name]
    variant = Variant(name, answers, render(directory, **answers))
    if answers.get("database") == "postgresql":
        assert postgres_url is not None
        variant.env = {
            "TEST_POSTGRES_URL": postgres_url,
            "DATABASE_URL": empty_database(postgres_url, f"service_{name.replace('-', '_')}"),
        }
    # Compiled once here, the project's own modules too (pytest rewrites and caches the test
    # modules as it collects them): every suite run on a copy of the project (one per
    # mutation) then starts without compiling again, whatever PYTHONDONTWRITEBYTECODE says.
    run(["uv", "sync", "--compile-bytecode"], variant.project)
    compiled = variant.env | {"PYTHONDONTWRITEBYTECODE": ""}
    run([variant.bin("python"), "-m", "compileall", "-q", "src"], variant.project, **compiled)
    collect = ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    run([variant.bin("python"), *collect], variant.project, **compiled)
    return variant


def empty_database(postgres_url: str, name: str) -> str:
    """The URL of a new, empty database on the server, named for the xdist worker too (each
    prepares the variants its tests meet); one of that name from an earlier run is dropped."""
    database = f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {database}")
    admin.dispose()
    return make_url(postgres_url).set(database=database).render_as_string(hide_password=False)
