from sqlalchemy import select
from sqlalchemy.orm import Session

from ..keyset import Order
from ..models import Comment
from ..schemas import CommentCreate, CommentUpdate, PageOfRows
from .rows import add, change, get_or_404, paginate

BY_ID = Order(Comment.id)


def create_comment(session: Session, *, body: CommentCreate) -> Comment:
    return add(session, Comment(**body.model_dump()))


def list_comments(
    session: Session, *, task_id: int, cursor: str | None, limit: int
) -> PageOfRows[Comment]:
    query = select(Comment).where(Comment.task_id == task_id)
    return paginate(session, query, BY_ID, cursor, limit)


def get_comment(session: Session, *, comment_id: int) -> Comment:
    return get_or_404(session, Comment, comment_id)


def update_comment(session: Session, *, comment_id: int, body: CommentUpdate) -> Comment:
    comment = get_comment(session, comment_id=comment_id)
    return change(session, comment, body.model_dump(exclude_unset=True))


def delete_comment(session: Session, *, comment_id: int) -> None:
    session.delete(get_comment(session, comment_id=comment_id))
