from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..keyset import Order
from ..models import Tag
from ..schemas import PageOfRows, TagCreate, TagUpdate
from .rows import add, change, get_or_404, paginate

BY_NAME = Order(Tag.name)


async def create_tag(session: AsyncSession, *, body: TagCreate) -> Tag:
    return await add(session, Tag(**body.model_dump()))


async def list_tags(session: AsyncSession, *, cursor: str | None, limit: int) -> PageOfRows[Tag]:
    return await paginate(session, select(Tag), BY_NAME, cursor, limit)


async def get_tag(session: AsyncSession, *, tag_id: int, lock: bool = False) -> Tag:
    return await get_or_404(session, Tag, tag_id, lock=lock)


async def update_tag(session: AsyncSession, *, tag_id: int, body: TagUpdate) -> Tag:
    tag = await get_tag(session, tag_id=tag_id, lock=True)
    return await change(session, tag, body.model_dump(exclude_unset=True))


async def delete_tag(session: AsyncSession, *, tag_id: int) -> None:
    await session.delete(await get_tag(session, tag_id=tag_id, lock=True))
