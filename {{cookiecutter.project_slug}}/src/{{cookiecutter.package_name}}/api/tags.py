from fastapi import APIRouter

{% if cookiecutter.auth == "password" -%}
from ..auth.access import SIGNED_IN
{% endif -%}
from ..errors import Conflict, NotFound, responses
from ..models import Tag
from ..schemas import Id, Page, PageOfRows, TagCreate, TagRead, TagUpdate
from ..services import tags
from .dependencies import EDITORS, DatabaseDep
from .paging import Cursor, Limit

router = APIRouter(prefix="/tags", tags=["tags"]{% if cookiecutter.auth == "password" %}, dependencies=[SIGNED_IN]{% endif %})


@router.post(
    "",
    status_code=201,
    response_model=TagRead,
    responses=responses(Conflict),
    dependencies=EDITORS,
)
async def create_tag(body: TagCreate, database: DatabaseDep) -> Tag:
    """Create a tag; names are unique."""
    return await database.write(tags.create_tag, body=body)


@router.get("", response_model=Page[TagRead])
async def list_tags(
    database: DatabaseDep, cursor: Cursor = None, limit: Limit = 50
) -> PageOfRows[Tag]:
    """List tags by name."""
    return await database.read(tags.list_tags, cursor=cursor, limit=limit)


@router.get("/{tag_id}", response_model=TagRead, responses=responses(NotFound))
async def read_tag(tag_id: Id, database: DatabaseDep) -> Tag:
    """Read one tag."""
    return await database.read(tags.get_tag, tag_id=tag_id)


@router.patch(
    "/{tag_id}",
    response_model=TagRead,
    responses=responses(NotFound, Conflict),
    dependencies=EDITORS,
)
async def update_tag(tag_id: Id, body: TagUpdate, database: DatabaseDep) -> Tag:
    """Rename a tag."""
    return await database.write(tags.update_tag, tag_id=tag_id, body=body)


@router.delete("/{tag_id}", status_code=204, responses=responses(NotFound), dependencies=EDITORS)
async def delete_tag(tag_id: Id, database: DatabaseDep) -> None:
    """Delete a tag and take it off every task."""
    await database.write(tags.delete_tag, tag_id=tag_id)
