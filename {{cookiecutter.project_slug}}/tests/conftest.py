import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.db.migrate import upgrade
from {{ cookiecutter.package_name }}.db.session import Database
from {{ cookiecutter.package_name }}.settings import Settings


def settings_for(path: Path) -> Settings:
    """Settings for a test database file; never the database the environment configures."""
    url = f"sqlite:///{path}"
    if url == Settings().database_url:
        pytest.exit(f"refusing to run tests against the configured database {url}")
    return Settings(database_url=url, _env_file=None)


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once from the migrations (not create_all); each test gets a copy."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.db"
    upgrade(settings_for(path))
    return path


@pytest.fixture
def settings(migrated_file: Path, tmp_path: Path) -> Settings:
    path = tmp_path / "test.db"
    shutil.copyfile(migrated_file, path)
    return settings_for(path)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def database(client: TestClient) -> Database:
    """The running app's database (engine and session factories)."""
    database: Database = client.app.state.database  # type: ignore[attr-defined]
    return database


@pytest.fixture
def fresh_engine(settings: Settings) -> Iterator[Engine]:
    """A brand-new engine on the test file: it sees only what was really committed."""
    engine = create_engine(settings.database_url)
    yield engine
    engine.dispose()
