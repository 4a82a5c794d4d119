"""What signing in, refreshing and signing out store: the rows of refresh tokens, by their hash
(auth/refresh.py), and a password's new hash."""

import datetime as dt

from sqlalchemy import Insert, Select, delete, insert, select, update
from sqlalchemy.orm import Session

from ..models import Account, refresh_tokens

_token = refresh_tokens.c


def sign_in(
    session: Session,
    *,
    account_id: int,
    checked_hash: str,
    new_hash: str,
    family: str,
    token_hash: str,
    expires_at: dt.datetime,
    now: dt.datetime,
) -> None:
    """The first refresh token of a family, the account's expired ones gone; and the password's
    new hash, unless it changed since it was checked."""
    if new_hash != checked_hash:
        session.execute(
            update(Account)
            .where(Account.id == account_id, Account.password_hash == checked_hash)
            .values(password_hash=new_hash)
        )
    session.execute(
        delete(refresh_tokens).where(_token.account_id == account_id, _token.expires_at <= now)
    )
    session.execute(_stored(account_id, family, token_hash, expires_at))


def refresh(
    session: Session, *, token_hash: str, next_hash: str, expires_at: dt.datetime, now: dt.datetime
) -> Account | None:
    """The account of a token neither used nor expired, now used, and the next of its family
    stored; None for any other token."""
    # One statement takes the token: of two refreshes with it at once, one finds it used.
    taken = session.execute(
        update(refresh_tokens)
        .where(_token.token_hash == token_hash, _token.used_at.is_(None), _token.expires_at > now)
        .values(used_at=now)
        .returning(_token.account_id, _token.family)
    )
    if (used := taken.first()) is None:
        return None
    session.execute(_stored(used.account_id, used.family, next_hash, expires_at))
    return session.get_one(Account, used.account_id)  # its role as it is now


def revoke_if_used(session: Session, *, token_hash: str) -> bool:
    """Whether the token was used before; if so, every token of its family is gone."""
    used = select(_token.family).where(_token.token_hash == token_hash, _token.used_at.is_not(None))
    return _revoke(session, used)


def sign_out(session: Session, *, token_hash: str) -> None:
    """Every token of the sign-in the token descends from; nothing for an unknown one."""
    _revoke(session, select(_token.family).where(_token.token_hash == token_hash))


def _revoke(session: Session, family: Select[tuple[str]]) -> bool:
    """Whether there were tokens of the family to delete."""
    revoked = delete(refresh_tokens).where(_token.family == family.scalar_subquery())
    return session.scalars(revoked.returning(_token.id)).first() is not None


def _stored(account_id: int, family: str, token_hash: str, expires_at: dt.datetime) -> Insert:
    return insert(refresh_tokens).values(
        account_id=account_id, family=family, token_hash=token_hash, expires_at=expires_at
    )
