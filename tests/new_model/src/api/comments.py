from fastapi import APIRouter

from ..errors import Conflict, NotFound, responses
from ..models import Comment
from ..schemas import CommentCreate, CommentRead, CommentUpdate, Id, Page, PageOfRows
from ..services import comments
from .dependencies import DatabaseDep
from .paging import Cursor, Limit

router = APIRouter(prefix="/comments", tags=["comments"])


@router.post("", status_code=201, response_model=CommentRead, responses=responses(Conflict))
async def create_comment(body: CommentCreate, database: DatabaseDep) -> Comment:
    """Comment on a task."""
    return await database.write(comments.create_comment, body=body)


@router.get("", response_model=Page[CommentRead])
async def list_comments(
    database: DatabaseDep, task_id: Id, cursor: Cursor = None, limit: Limit = 50
) -> PageOfRows[Comment]:
    """List a task's comments, oldest first."""
    return await database.read(comments.list_comments, task_id=task_id, cursor=cursor, limit=limit)


@router.get("/{comment_id}", response_model=CommentRead, responses=responses(NotFound))
async def read_comment(comment_id: Id, database: DatabaseDep) -> Comment:
    """Read one comment."""
    return await database.read(comments.get_comment, comment_id=comment_id)


@router.patch("/{comment_id}", response_model=CommentRead, responses=responses(NotFound))
async def update_comment(comment_id: Id, body: CommentUpdate, database: DatabaseDep) -> Comment:
    """Edit a comment."""
    return await database.write(comments.update_comment, comment_id=comment_id, body=body)


@router.delete("/{comment_id}", status_code=204, responses=responses(NotFound))
async def delete_comment(comment_id: Id, database: DatabaseDep) -> None:
    """Delete a comment."""
    await database.write(comments.delete_comment, comment_id=comment_id)
