"""What signing in, refreshing and signing out store: the attempts counted (auth/throttle.py),
the rows of refresh tokens, by their hash (auth/refresh.py), and a password's new hash. The
statements are built beside their tables (models/refresh_token.py, models/sign_in_attempt.py)."""

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import Account, refresh_token, sign_in_attempt


async def attempt(
    session: AsyncSession, *, keys: list[str], now: int, window_s: int
) -> list[tuple[int, int]]:
    """Each key's attempts in its window, this one counted, and when the window resets (Unix
    time)."""
    counted = []
    for key in keys:  # in the one order given: attempts at once that share keys never deadlock
        row = (await session.execute(sign_in_attempt.counted(key, now, window_s))).one()
        counted.append((row.attempts, row.resets_at))
    return counted


async def sign_in(
    session: AsyncSession,
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
    kept = await session.execute(
        update(Account)
        .where(Account.id == account_id, Account.password_hash == checked_hash)
        .values(password_hash=new_hash)
        .returning(Account.id)
    )
    if kept.first() is None:  # changed since it was checked
        return False
    await session.execute(sign_in_attempt.cleared(attempts_key))
    await session.execute(refresh_token.expired(account_id, now))
    await session.execute(refresh_token.stored(account_id, family, token_hash, expires_at))
    return True


async def refresh(
    session: AsyncSession,
    *,
    token_hash: str,
    next_hash: str,
    expires_at: dt.datetime,
    now: dt.datetime,
) -> Account | None:
    """The account of a token neither used nor expired, now used, and the next of its family
    stored; None for any other token."""
    if (used := (await session.execute(refresh_token.taken(token_hash, now))).first()) is None:
        return None
    await session.execute(refresh_token.expired(used.account_id, now))
    await session.execute(refresh_token.stored(used.account_id, used.family, next_hash, expires_at))
    return await session.get_one(Account, used.account_id)  # its role as it is now


async def revoke_if_used(session: AsyncSession, *, token_hash: str) -> bool:
    """Whether the token was used before; if so, every token of its family is gone."""
    return await _revoke(session, token_hash, used=True)


async def sign_out(session: AsyncSession, *, token_hash: str) -> None:
    """Every token of the sign-in the token descends from; nothing for an unknown one."""
    await _revoke(session, token_hash)


async def _revoke(session: AsyncSession, token_hash: str, *, used: bool = False) -> bool:
    """Whether there was a family to delete the tokens of: locked first, so that a refresh of
    it in flight ends before the DELETE, a statement after, which then sees what it added."""
    locked = await session.scalars(refresh_token.family_locked(token_hash, used=used))
    if (family := locked.first()) is None:
        return False
    await session.execute(refresh_token.revoked(family))
    return True
