from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.base import Base

if TYPE_CHECKING:
    from .project import Project
    from .task import Task


class User(Base):
    __tablename__ = "users"
{%- if cookiecutter.auth == "password" and cookiecutter.database == "sqlite" %}
    # Ids never reused (AUTOINCREMENT): an access token names its user's, which must not come
    # to name the next user once this one is deleted.
    __table_args__ = ({"sqlite_autoincrement": True},)
{%- endif %}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))

    # The database deletes a user's projects (ondelete="CASCADE") and unassigns their tasks
    # (ondelete="SET NULL"); passive_deletes keeps the ORM from loading them first.
    projects: Mapped[list["Project"]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True, lazy="raise"
    )
    assigned_tasks: Mapped[list["Task"]] = relationship(
        back_populates="assignee", passive_deletes=True, lazy="raise"
    )

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r})"
