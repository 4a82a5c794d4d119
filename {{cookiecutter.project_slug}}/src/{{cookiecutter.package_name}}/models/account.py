from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base

# The roles a route may ask for (role("admin") in auth/access.py). A new one needs a migration
# of the CHECK constraint below too: test_accounts.py stores an account of each.
ROLES = ("member", "admin")


class Account(Base):
    """How a user signs in: one account each, deleted with its user."""

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{role}'" for role in ROLES) + ")", "role"),
{%- if cookiecutter.database == "sqlite" %}
        # Ids never reused (AUTOINCREMENT): an access token names its account's.
        {"sqlite_autoincrement": True},
{%- endif %}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # Argon2id, its parameters and salt in the string (auth/passwords.py): never answered.
    password_hash: Mapped[str] = mapped_column(String(255), info={"private": True})
    role: Mapped[str] = mapped_column(String(20))

    def __repr__(self) -> str:
        return f"Account(id={self.id!r}, user_id={self.user_id!r}, role={self.role!r})"
