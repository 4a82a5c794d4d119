"""What signing in, refreshing and signing out store: the attempts counted (auth/throttle.py),
the rows of refresh tokens, by their hash (auth/refresh.py), and a password's new hash. The
statements are built beside their tables (models/refresh_token.py, models/sign_in_attempt.py)."""

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..models import Account, refresh_token, sign_in_attempt


def attempt(session: Session, *, keys: list[str], now: int, window_s: int) -> list[tuple[int, int]]:
    """Each key's attempts in its window, this one counted, and when the window resets (Unix
    time)."""
    counted = []
    for key in keys:  # in the one order given: attempts at once that share keys never deadlock
        row = (session.execute(sign_in_attempt.counted(key, now, window_s))).one()
        counted.append((row.attempts, row.resets_at))
    return counted


def sign_in(
    session: Session,
    *,
    account_id: int,
    attempts_key: str,
    checked_hash: str,
    new_hash: str,
    family: str,
    token_hash: str,
    expires_at: dt.datetime,
    now: dt.datetime,
) -> bool:
    """Whether the password checked is still the account's: if so, its new hash is stored (or
    the same), the e-mail's attempts cleared, and the first refresh token of a family."""
    kept = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.password_hash == checked_hash)
        .values(password_hash=new_hash)
        .returning(Account.id)
    )
    if kept.first() is None:  # changed since it was checked
        return False
    session.execute(sign_in_attempt.cleared(attempts_key))
    session.execute(refresh_token.expired(account_id, now))
    session.execute(refresh_token.stored(account_id, family, token_hash, expires_at))
    return True


def refresh(
    session: Session,
    *,
    token_hash: str,
    next_hash: str,
    expires_at: dt.datetime,
    now: dt.datetime,
) -> Account | None:
    """The account of a token neither used nor expired, now used, and the next of its family
    stored; None for any other token."""
    if (used := (session.execute(refresh_token.taken(token_hash, now))).first()) is None:
        return None
    session.execute(refresh_token.expired(used.account_id, now))
    session.execute(refresh_token.stored(used.account_id, used.family, next_hash, expires_at))
    return session.get_one(Account, used.account_id)  # its role as it is now


def revoke_if_used(session: Session, *, token_hash: str) -> bool:
    """Whether the token was used before; if so, every token of its family is gone."""
    return _revoke(session, token_hash, used=True)


def sign_out(session: Session, *, token_hash: str) -> None:
    """Every token of the sign-in the token descends from; nothing for an unknown one."""
    _revoke(session, token_hash)


def _revoke(session: Session, token_hash: str, *, used: bool = False) -> bool:
    """Whether there was a family to delete the tokens of: locked first, so that a refresh of
    it in flight ends before the DELETE, a statement after, which then sees what it added."""
    locked = session.scalars(refresh_token.family_locked(token_hash, used=used))
    if (family := locked.first()) is None:
        return False
    session.execute(refresh_token.revoked(family))
    return True
