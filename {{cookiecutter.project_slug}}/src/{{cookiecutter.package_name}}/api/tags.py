from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from ..db.session import ReadSession, Transaction
from ..errors import Conflict, NotFound, responses
from ..models import Tag
from ..schemas import Page, TagCreate, TagRead, TagUpdate
from .resources import Limit, Offset, add, change, get_or_404, paginate

router = APIRouter(prefix="/tags", tags=["tags"])


@router.post("", status_code=201, response_model=TagRead, responses=responses(Conflict))
def create_tag(body: TagCreate, session: Transaction) -> Tag:
    """Create a tag; names are unique."""
    return add(session, Tag(**body.model_dump()))


@router.get("", response_model=Page[TagRead])
def list_tags(session: ReadSession, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """List tags by name."""
    return paginate(session, select(Tag).order_by(Tag.name), limit, offset)


@router.get("/{tag_id}", response_model=TagRead, responses=responses(NotFound))
def read_tag(tag_id: int, session: ReadSession) -> Tag:
    """Read one tag."""
    return get_or_404(session, Tag, tag_id)


@router.patch("/{tag_id}", response_model=TagRead, responses=responses(NotFound, Conflict))
def update_tag(tag_id: int, body: TagUpdate, session: Transaction) -> Tag:
    """Rename a tag."""
    tag = get_or_404(session, Tag, tag_id)
    return change(session, tag, body.model_dump(exclude_unset=True))


@router.delete("/{tag_id}", status_code=204, responses=responses(NotFound))
def delete_tag(tag_id: int, session: Transaction) -> None:
    """Delete a tag and take it off every task."""
    session.delete(get_or_404(session, Tag, tag_id))
