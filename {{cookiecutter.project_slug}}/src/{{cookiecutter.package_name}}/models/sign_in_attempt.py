from sqlalchemy import BigInteger, Column, Integer, String, Table

from ..db.base import Base

# Sign-in attempts counted in windows (auth/throttle.py), by the SHA-256 of what they count:
# an e-mail, or a client's address. A table, not a model, since no route answers its rows.
sign_in_attempts = Table(
    "sign_in_attempts",
    Base.metadata,
    Column("key", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("resets_at", BigInteger, nullable=False),  # Unix time, in seconds
)
