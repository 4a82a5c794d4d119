"""Reference rows the service needs, inserted by natural key.

INSERT ... ON CONFLICT DO NOTHING makes seeding safe to run on every start and from
several workers at once: it adds what is missing and never duplicates or overwrites.
"""

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ..db.dialect import insert
from ..db.engines import run_on_connection
from ..models import Tag
from ..settings import Settings

REFERENCE_TAGS = ("bug", "feature", "chore", "docs")


def seed(session: Session) -> None:
    rows = [{"name": name} for name in REFERENCE_TAGS]
    session.execute(insert(Tag).values(rows).on_conflict_do_nothing(index_elements=[Tag.name]))


def seed_database(settings: Settings) -> None:
    """Seed in one transaction, on a connection of its own (as migrations run)."""
    run_on_connection(settings, _seeded)


def _seeded(connection: Connection) -> None:
    with Session(connection) as session, session.begin():
        seed(session)
