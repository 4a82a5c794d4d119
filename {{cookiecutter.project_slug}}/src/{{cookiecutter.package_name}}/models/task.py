from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.base import Base
from .project import Project
from .tag import task_tags

if TYPE_CHECKING:
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

    @classmethod
    def visible_to(cls, owned_by: int | None) -> list[ColumnElement[bool]]:
        """What a task the user `owned_by` may see meets: being in a project of theirs;
        nothing for None. IN, not EXISTS: a list then reads the tasks of the user's projects
        from their index, where EXISTS would walk every task in the list's order."""
        if owned_by is None:
            return []
        return [cls.project_id.in_(select(Project.id).where(Project.owner_id == owned_by))]

    def __repr__(self) -> str:
        return f"Task(id={self.id!r}, title={self.title!r})"
