"""Refresh tokens: random text a client trades, once, for a new access token and the next
refresh token of its family (RFC 9700, 4.14.2). Stored as their SHA-256 hash only: a copy of
the database lets nobody in. A token used a second time was stolen, or its thief used it
first: its whole family is revoked, and both must sign in again."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

from ..settings import Settings

TOKEN_BYTES: Final = 32


def digest(token: str) -> str:
    """What the database keeps of a token: high in entropy, it needs no salt nor slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    token: str  # for the client, never stored
    token_hash: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class RefreshTokens:
    lifetime: dt.timedelta

    @classmethod
    def of(cls, settings: Settings) -> "RefreshTokens":
        return cls(dt.timedelta(days=settings.refresh_token_days))

    def issue(self, now: dt.datetime) -> Issued:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        return Issued(token, digest(token), now + self.lifetime)


def new_family() -> str:
    return secrets.token_urlsafe(16)
