{% if cookiecutter.auth == "password" -%}
import os
import secrets
{% endif -%}
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

{% if cookiecutter.auth == "password" -%}
from {{ cookiecutter.package_name }}.app import create_app
{% endif -%}
from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.maintenance.migrate import upgrade
from {{ cookiecutter.package_name }}.settings import Settings

from tests.apps import app_of
from tests.database import copy_of, engine_for, template_database
from tests.problems import in_process
{%- if cookiecutter.auth == "password" %}

# Every command and app needs a signing key: the tests make their own.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
{%- endif %}


def settings_for(url: str) -> Settings:
    """Settings for a test database; never the database the environment configures."""
    if make_url(url).database == make_url(Settings().database_url).database:
        pytest.exit(f"refusing to run tests against the configured database {url}")
    return Settings(database_url=url, _env_file=None)


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database built once from the migrations (not create_all); each test gets a copy."""
    with template_database(tmp_path_factory.mktemp("migrated")) as url:
        upgrade(settings_for(url))
        yield url


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Iterator[Settings]:
    with copy_of(migrated_url, tmp_path) as url:
        yield settings_for(url)


{% if cookiecutter.auth == "password" -%}
@pytest.fixture
def app(settings: Settings, request: pytest.FixtureRequest) -> FastAPI:
    if request.node.get_closest_marker("tokens"):
        return create_app(settings)  # as deployed: callers show their tokens
    return app_of(settings)
{%- else -%}
@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return app_of(settings)
{%- endif %}


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with in_process(app) as client:
        yield client


@pytest.fixture
def database(app: FastAPI, client: TestClient) -> Database:
    """The running app's database (engine and session factories)."""
    database: Database = app.state.database
    return database


@pytest.fixture
def fresh_engine(settings: Settings) -> Iterator[Engine]:
    """A brand-new engine on the test database: it sees only what was really committed."""
    engine = engine_for(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def arrange(fresh_engine: Engine) -> sessionmaker[Session]:
    """Sessions of the test's own, to store rows before acting through the API:
    `with arrange.begin() as session:` commits what the block adds (tests/factories.py)."""
    return sessionmaker(fresh_engine, expire_on_commit=False)
