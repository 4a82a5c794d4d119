"""Test databases on SQLite: one file migrated per run, a copy of it per test."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def template_database(directory: Path) -> Iterator[str]:
    """The URL of an empty database, to be migrated once and then copied."""
    yield f"sqlite:///{directory / 'migrated.db'}"


@contextmanager
def copy_of(template_url: str, directory: Path) -> Iterator[str]:
    copy = directory / "test.db"
    shutil.copyfile(template_url.removeprefix("sqlite:///"), copy)
    yield f"sqlite:///{copy}"
