from sqlalchemy import select
from sqlalchemy.orm import Session

from ..keyset import Order
from ..models import Tag
from ..schemas import PageOfRows, TagCreate, TagUpdate
from .rows import add, change, get_or_404, paginate

BY_NAME = Order(Tag.name)


def create_tag(session: Session, *, body: TagCreate) -> Tag:
    return add(session, Tag(**body.model_dump()))


def list_tags(session: Session, *, cursor: str | None, limit: int) -> PageOfRows[Tag]:
    return paginate(session, select(Tag), BY_NAME, cursor, limit)


def get_tag(session: Session, *, tag_id: int, lock: bool = False) -> Tag:
    return get_or_404(session, Tag, tag_id, lock=lock)


def update_tag(session: Session, *, tag_id: int, body: TagUpdate) -> Tag:
    tag = get_tag(session, tag_id=tag_id, lock=True)
    return change(session, tag, body.model_dump(exclude_unset=True))


def delete_tag(session: Session, *, tag_id: int) -> None:
    session.delete(get_tag(session, tag_id=tag_id, lock=True))
