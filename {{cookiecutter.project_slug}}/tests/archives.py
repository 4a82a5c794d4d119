"""What a test reads of a database it backs up or restores (its tags, its revision), and rows
to fill it with.
"""

from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.models import Tag
from {{ cookiecutter.package_name }}.settings import Settings


def tag_names(settings: Settings) -> list[str]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Tag.name).order_by(Tag.name)))
    finally:
        engine.dispose()


def revisions_of(settings: Settings) -> set[str]:
    engine = create_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def fill(arrange: sessionmaker[Session], rows: int) -> None:
    with arrange.begin() as session:
        session.execute(insert(Tag), [{"name": f"prefilled {number}"} for number in range(rows)])
