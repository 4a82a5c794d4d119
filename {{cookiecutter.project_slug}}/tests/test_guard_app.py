"""The app is built once, from one copy of the models, without touching the database; its
operations are named as clients call them."""

import importlib
import os
import pkgutil
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.orm import DeclarativeBase

import {{ cookiecutter.package_name }} as package
from {{ cookiecutter.package_name }} import app as app_module
from {{ cookiecutter.package_name }}.api import routers
from {{ cookiecutter.package_name }}.db.base import Base
from {{ cookiecutter.package_name }}.settings import Settings

THREADS = 16
PACKAGE_DIR = Path(package.__file__).parent


def at_once(build: Callable[[], FastAPI]) -> list[FastAPI]:
    """Call build from many threads released together; warnings stay errors in each."""
    barrier = threading.Barrier(THREADS)

    def call(_: int) -> FastAPI:
        barrier.wait()
        return build()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(call, range(THREADS)))


def test_get_app_builds_one_app_from_many_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    create_app = app_module.create_app

    def slow_create_app() -> FastAPI:
        time.sleep(0.05)  # widen the window in which an unguarded get_app() races
        return create_app()

    monkeypatch.setattr(app_module, "_app", None)
    monkeypatch.setattr(app_module, "create_app", slow_create_app)
    apps = at_once(app_module.get_app)
    assert len({id(app) for app in apps}) == 1, (
        f"get_app() built {len({id(app) for app in apps})} apps for {THREADS} concurrent callers: "
        "guard the lazy build with a lock and check again inside it"
    )


@pytest.fixture(scope="module")
def built_at_once() -> None:
    """Build the app from many threads at once, as workers and tools may."""
    apps = at_once(app_module.create_app)
    assert len({id(app) for app in apps}) == THREADS


@pytest.mark.usefixtures("built_at_once")
def test_every_model_is_on_the_one_declarative_base() -> None:
    mapped = {mapper.class_ for mapper in Base.registry.mappers}
    todo: list[type] = [DeclarativeBase]
    strays = []
    while todo:
        subclasses: list[type] = todo.pop().__subclasses__()
        for cls in subclasses:
            todo.append(cls)
            outside = cls is not Base and cls not in mapped and not cls.__dict__.get("__abstract__")
            if cls.__module__.startswith(package.__name__) and outside:
                strays.append(f"{cls.__module__}.{cls.__qualname__}")
    assert not strays, (
        f"declarative classes outside {Base.__module__}.Base's registry: "
        f"{sorted(set(strays))}. Every model inherits the one Base, so every table lives on "
        "one MetaData"
    )


@pytest.mark.usefixtures("built_at_once")
def test_every_module_is_imported_under_one_name() -> None:
    names_by_file = defaultdict(list)
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(PACKAGE_DIR.resolve()):
            names_by_file[file].append(name)
    twice_imported = [
        f"{file} as {' and '.join(names)}"
        for file, names in names_by_file.items()
        if len(names) > 1
    ]
    assert not twice_imported, (
        "modules imported under two names (their tables would be defined twice): "
        f"{'; '.join(twice_imported)}. Import from {package.__name__}.* only, never from src/ or "
        "a subfolder"
    )


def test_every_module_imports() -> None:
    failures = []
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        try:
            importlib.import_module(module.name)
        except Exception as exc:
            failures.append(f"{module.name}: {exc!r}")
    assert not failures, "modules that fail to import:\n" + "\n".join(failures)


IMPORT_AND_BUILD = """
import sys
from sqlalchemy import event
from sqlalchemy.pool import Pool
opened = []
event.listen(Pool, "connect", lambda *args: opened.append(args))
import {package}.app as module
module.app  # build the app as an ASGI server would
sys.exit("database connections opened: %d" % len(opened) if opened else 0)
"""


def test_importing_and_building_the_app_opens_no_connection(settings: Settings) -> None:
    env = os.environ | {"DATABASE_URL": settings.database_url}
    script = IMPORT_AND_BUILD.format(package=package.__name__)
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, (
        "importing the app or building it touched the database; open connections only in the "
        f"lifespan:\n{result.stderr}"
    )


def test_each_operation_is_named_for_its_function_and_once(app: FastAPI) -> None:
    """Client generators name their methods after operation ids: FastAPI's own are the
    function, path and method run together (list_tags_tags_get)."""
    operations = [op for path in app.openapi()["paths"].values() for op in path.values()]
    ids = sorted(operation["operationId"] for operation in operations)
    routes = [route for router in routers for route in router.routes]
    names = sorted(route.name for route in routes if isinstance(route, APIRoute))
    assert ids == names, (
        "operation ids must be the route functions' names (generate_unique_id_function in "
        f"app.py): they are {ids}, the functions {names}"
    )
    assert len(set(ids)) == len(ids), f"operation ids {ids} repeat: rename a route function"
