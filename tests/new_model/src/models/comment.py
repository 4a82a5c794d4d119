from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.base import Base

if TYPE_CHECKING:
    from .task import Task


class Comment(Base):
    __tablename__ = "comments"
    # A task's comments in the order they are listed (Order in services/comments.py).
    __table_args__ = (Index(None, "task_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(String(2000))
    # A comment belongs to its task: it goes when the task goes.
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))

    task: Mapped["Task"] = relationship(lazy="raise")
