"""Reference rows the service needs, inserted by natural key.

INSERT ... ON CONFLICT DO NOTHING makes seeding safe to run on every start and from
several workers at once: it adds what is missing and never duplicates or overwrites.
"""

from sqlalchemy.orm import Session

from ..models import Tag
from .dialect import insert

REFERENCE_TAGS = ("bug", "feature", "chore", "docs")


def seed(session: Session) -> None:
    rows = [{"name": name} for name in REFERENCE_TAGS]
    session.execute(insert(Tag).values(rows).on_conflict_do_nothing(index_elements=[Tag.name]))
