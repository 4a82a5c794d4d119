from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.base import Base

if TYPE_CHECKING:
    from .task import Task
    from .user import User


class Project(Base):
    __tablename__ = "projects"
    # An owner's projects in the order they are listed (keyset.py).
    __table_args__ = (UniqueConstraint("owner_id", "name"), Index(None, "owner_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    owner: Mapped["User"] = relationship(back_populates="projects", lazy="raise")
    tasks: Mapped[list["Task"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )

    @classmethod
    def visible_to(cls, owned_by: int | None) -> list[ColumnElement[bool]]:
        """What a project the user `owned_by` may see meets: being theirs; nothing for None,
        for whom every project is (api/dependencies.py)."""
        return [] if owned_by is None else [cls.owner_id == owned_by]

    def __repr__(self) -> str:
        return f"Project(id={self.id!r}, name={self.name!r})"
