from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table

from ..db.base import Base

# A refresh token, by the SHA-256 of its text (auth/refresh.py): a table, not a model, since
# no route answers its rows. Each token is used once, for the next of its family (the tokens
# that descend from one sign-in); one used twice revokes the family.
refresh_tokens = Table(
    "refresh_tokens",
    Base.metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "account_id",
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("family", String(32), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)
