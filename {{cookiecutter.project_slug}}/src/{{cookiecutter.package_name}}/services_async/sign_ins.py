"""What signing in, refreshing and signing out store: the attempts counted (auth/throttle.py),
the rows of refresh tokens, by their hash (auth/refresh.py), and a password's new hash."""

import datetime as dt

from sqlalchemy import Delete, Insert, Select, case, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import dialect
from ..models import Account, refresh_tokens, sign_in_attempts

_token = refresh_tokens.c
_attempt = sign_in_attempts.c


async def attempt(
    session: AsyncSession, *, keys: list[str], now: int, window_s: int
) -> list[tuple[int, int]]:
    """Each key's attempts in its window, this one counted, and when the window resets (Unix
    time); a window that has ended starts again."""
    counted = []
    for key in keys:  # in the one order given: attempts at once that share keys never deadlock
        ended = _attempt.resets_at <= now
        upsert = dialect.insert(sign_in_attempts).values(
            key=key, attempts=1, resets_at=now + window_s
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[_attempt.key],
            set_={
                "attempts": case((ended, 1), else_=_attempt.attempts + 1),
                "resets_at": case((ended, now + window_s), else_=_attempt.resets_at),
            },
        )
        row = (await session.execute(upsert.returning(_attempt.attempts, _attempt.resets_at))).one()
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
    await session.execute(delete(sign_in_attempts).where(_attempt.key == attempts_key))
    await session.execute(_expired(account_id, now))
    await session.execute(_stored(account_id, family, token_hash, expires_at))
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
    # One statement takes the token: of two refreshes with it at once, one finds it used.
    taken = await session.execute(
        update(refresh_tokens)
        .where(_token.token_hash == token_hash, _token.used_at.is_(None), _token.expires_at > now)
        .values(used_at=now)
        .returning(_token.account_id, _token.family)
    )
    if (used := taken.first()) is None:
        return None
    await session.execute(_expired(used.account_id, now))
    await session.execute(_stored(used.account_id, used.family, next_hash, expires_at))
    return await session.get_one(Account, used.account_id)  # its role as it is now


async def revoke_if_used(session: AsyncSession, *, token_hash: str) -> bool:
    """Whether the token was used before; if so, every token of its family is gone."""
    used = select(_token.family).where(_token.token_hash == token_hash, _token.used_at.is_not(None))
    return await _revoke(session, used)


async def sign_out(session: AsyncSession, *, token_hash: str) -> None:
    """Every token of the sign-in the token descends from; nothing for an unknown one."""
    await _revoke(session, select(_token.family).where(_token.token_hash == token_hash))


async def _revoke(session: AsyncSession, family_of: Select[tuple[str]]) -> bool:
    """Whether there was a family to delete the tokens of."""
    if (family := await session.scalar(family_of)) is None:
        return False
    # Waits for a refresh of the family in flight (it holds the token it used), so that the
    # DELETE, a statement after it, sees the token that refresh adds.
    await session.execute(select(_token.id).where(_token.family == family).with_for_update())
    await session.execute(delete(refresh_tokens).where(_token.family == family))
    return True


def _expired(account_id: int, now: dt.datetime) -> Delete:
    return delete(refresh_tokens).where(_token.account_id == account_id, _token.expires_at <= now)


def _stored(account_id: int, family: str, token_hash: str, expires_at: dt.datetime) -> Insert:
    return insert(refresh_tokens).values(
        account_id=account_id, family=family, token_hash=token_hash, expires_at=expires_at
    )
