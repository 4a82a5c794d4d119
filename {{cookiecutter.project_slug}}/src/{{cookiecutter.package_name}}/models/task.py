from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.base import Base
from .tag import task_tags

if TYPE_CHECKING:
    from .project import Project
    from .tag import Tag
    from .user import User


class Task(Base):
    __tablename__ = "tasks"
    # A project's tasks in the order they are listed (keyset.py); also what deleting a
    # project looks its tasks up by.
    __table_args__ = (Index(None, "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(default=False)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    project: Mapped["Project"] = relationship(back_populates="tasks", lazy="raise")
    assignee: Mapped["User | None"] = relationship(back_populates="assigned_tasks", lazy="raise")
    # Link rows go with either side (ondelete="CASCADE" on both columns of task_tags).
    tags: Mapped[list["Tag"]] = relationship(
        secondary=task_tags, back_populates="tasks", passive_deletes=True, lazy="raise"
    )

    def __repr__(self) -> str:
        return f"Task(id={self.id!r}, title={self.title!r})"
