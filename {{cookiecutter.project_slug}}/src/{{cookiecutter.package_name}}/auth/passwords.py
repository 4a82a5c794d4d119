"""Passwords, stored as Argon2id hashes with OWASP's parameters, and checked so that an answer
tells nothing: an unknown e-mail costs a check as a wrong password does.

A hash takes tens of milliseconds of a core and 19 MiB: it runs in a thread, never on the
event loop, and no more than HASHES_AT_ONCE run at a time in a worker. The others wait for
their turn in the event loop, not in the thread pool, which the database calls share.
"""

import functools
import secrets
from typing import Final

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, one lane. Raising
# them re-hashes each password as its owner next signs in.
HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
HASHES_AT_ONCE: Final = 4
_turns = anyio.CapacityLimiter(HASHES_AT_ONCE)


async def hashed(password: str) -> str:
    """The hash to store for a new password."""
    return await anyio.to_thread.run_sync(HASHER.hash, password, limiter=_turns)


async def checked(password: str, stored: str | None) -> str | None:
    """None unless `password` is the one `stored` hashes (None: no account has the e-mail);
    else the hash to keep: `stored`, or a new one where the parameters have changed."""
    return await anyio.to_thread.run_sync(_check, password, stored, limiter=_turns)


async def prepare() -> None:
    """Make, at start-up, the hash an unknown e-mail is checked against."""
    await anyio.to_thread.run_sync(_no_account, limiter=_turns)


def _check(password: str, stored: str | None) -> str | None:
    try:
        HASHER.verify(stored or _no_account(), password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    return HASHER.hash(password) if HASHER.check_needs_rehash(stored) else stored


@functools.cache
def _no_account() -> str:
    """What a sign-in with an unknown e-mail is checked against: a hash of the parameters in
    use, of a password nobody knows (made by prepare())."""
    return HASHER.hash(secrets.token_urlsafe(32))
