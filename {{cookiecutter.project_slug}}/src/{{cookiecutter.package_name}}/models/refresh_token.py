"""A refresh token, by the SHA-256 of its text (auth/refresh.py): a table, not a model, since
no route answers its rows. Each token is used once, for the next of its family (the tokens
that descend from one sign-in); one used twice revokes the family. The statements on it are
here, beside it; services/sign_ins.py runs them."""

import datetime as dt

from sqlalchemy import (
    Column,
    DateTime,
    Delete,
    ForeignKey,
    Insert,
    Integer,
    Select,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.sql.dml import ReturningUpdate

from ..db.base import Base

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
_token = refresh_tokens.c


def taken(token_hash: str, now: dt.datetime) -> ReturningUpdate[int, str]:
    """Marks the token used if it is neither used nor expired, answering its account and
    family: one statement, so that of two refreshes with it at once, one finds it used."""
    return (
        update(refresh_tokens)
        .where(_token.token_hash == token_hash, _token.used_at.is_(None), _token.expires_at > now)
        .values(used_at=now)
        .returning(_token.account_id, _token.family)
    )


def stored(account_id: int, family: str, token_hash: str, expires_at: dt.datetime) -> Insert:
    return insert(refresh_tokens).values(
        account_id=account_id, family=family, token_hash=token_hash, expires_at=expires_at
    )


def expired(account_id: int, now: dt.datetime) -> Delete:
    return delete(refresh_tokens).where(_token.account_id == account_id, _token.expires_at <= now)


def family_locked(token_hash: str, *, used: bool = False) -> Select[str]:
    """The family of the token (of a used one only, with `used`), one row per token of it,
    each locked: a refresh of the family in flight holds the token it took, so this waits
    for it to end, and a DELETE after it sees the token that refresh added."""
    of = select(_token.family).where(_token.token_hash == token_hash)
    if used:
        of = of.where(_token.used_at.is_not(None))
    return select(_token.family).where(_token.family == of.scalar_subquery()).with_for_update()


def revoked(family: str) -> Delete:
    return delete(refresh_tokens).where(_token.family == family)
