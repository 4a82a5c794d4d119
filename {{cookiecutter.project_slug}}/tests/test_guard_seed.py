"""Seeding adds the reference rows once, however often and from however many workers it runs."""

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.maintenance.seed import REFERENCE_TAGS, seed_database
from {{ cookiecutter.package_name }}.models import (
    Project,
    Tag,
    Task,
    User,
    task_tags,
)
from {{ cookiecutter.package_name }}.settings import Settings

WORKERS = 8


def stored_tags(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        return [
            (row.id, row.name)
            for row in connection.execute(select(Tag.id, Tag.name).order_by(Tag.id))
        ]


def run_seed(settings: Settings) -> None:
    try:
        seed_database(settings)
    except SQLAlchemyError as exc:
        pytest.fail(
            "seeding failed where rows already exist or another worker seeds: insert reference "
            "rows with INSERT ... ON CONFLICT DO NOTHING on their natural key "
            "(maintenance/seed.py). "
            f"{str(exc).splitlines()[0]}"
        )


def test_seeding_twice_changes_nothing(settings: Settings, fresh_engine: Engine) -> None:
    run_seed(settings)
    first = stored_tags(fresh_engine)
    run_seed(settings)
    assert stored_tags(fresh_engine) == first, "a second seed run changed the rows"
    assert sorted(name for _, name in first) == sorted(REFERENCE_TAGS)


def slow_insert(_conn: object, _cursor: object, statement: str, *_: object) -> None:
    # A slow database: every worker has read what exists before any of them inserts.
    if statement.lstrip().upper().startswith("INSERT"):
        time.sleep(0.05)


def test_concurrent_workers_seed_each_row_once(settings: Settings, fresh_engine: Engine) -> None:
    barrier = threading.Barrier(WORKERS)

    def worker(_: int) -> None:
        barrier.wait()
        run_seed(settings)

    event.listen(Engine, "before_cursor_execute", slow_insert)
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(WORKERS) as pool:
        stack.callback(event.remove, Engine, "before_cursor_execute", slow_insert)
        errors = [
            repr(e)
            for e in (f.exception() for f in [pool.submit(worker, i) for i in range(WORKERS)])
            if e
        ]
    assert not errors, f"{len(errors)} of {WORKERS} concurrent seed runs failed: " + "; ".join(
        errors[:3]
    )
    names = [name for _, name in stored_tags(fresh_engine)]
    assert sorted(names) == sorted(REFERENCE_TAGS), f"concurrent seeding stored {names}"


def links(engine: Engine) -> set[tuple[int, int]]:
    with engine.connect() as connection:
        return {(row.task_id, row.tag_id) for row in connection.execute(select(task_tags))}


def test_seeding_keeps_existing_rows(
    settings: Settings, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    with arrange.begin() as session:
        project = Project(name="Kept", owner=User(email="kept@example.com", name="Kept"))
        tags = [Tag(name="customer-tag"), Tag(name=REFERENCE_TAGS[0])]
        session.add(Task(title="Tagged", project=project, tags=tags))
    before = stored_tags(fresh_engine), links(fresh_engine)
    run_seed(settings)
    after = stored_tags(fresh_engine), links(fresh_engine)
    assert after[0][: len(before[0])] == before[0], "seeding changed rows that existed before it"
    assert after[1] == before[1], (
        "seeding removed links to rows that existed before it: insert what is missing, never "
        "delete or replace"
    )
    assert len(after[0]) == len(REFERENCE_TAGS) + 1
