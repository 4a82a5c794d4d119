"""Refresh tokens: random text a client trades, once, for a new access token and the next
refresh token of its family (RFC 9700, 4.14.2). Stored as their SHA-256 hash only: a copy of
the database lets nobody in. A token used a second time was stolen, or its thief used it
first: its whole family is revoked, and both must sign in again."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Final

from fastapi import Response

from ..settings import Settings

TOKEN_BYTES: Final = 32
# REFRESH_TOKEN_COOKIE: the token in a cookie scripts cannot read, sent over HTTPS only, to
# the accounts' routes only, and never with a request another site starts.
COOKIE: Final = "refresh_token"
COOKIE_PATH: Final = "/accounts"


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
    in_cookie: bool

    @classmethod
    def of(cls, settings: Settings) -> "RefreshTokens":
        return cls(dt.timedelta(days=settings.refresh_token_days), settings.refresh_token_cookie)

    def issue(self, now: dt.datetime) -> Issued:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        return Issued(token, digest(token), now + self.lifetime)

    def handed(self, issued: Issued, response: Response) -> str | None:
        """The token for the answer's body; None where the answer sets it in a cookie."""
        if not self.in_cookie:
            return issued.token
        _set_cookie(response, issued.token, max_age=int(self.lifetime.total_seconds()))
        return None

    def forget(self, response: Response) -> None:
        if self.in_cookie:
            _set_cookie(response, "", max_age=0)


def new_family() -> str:
    return secrets.token_urlsafe(16)


def _set_cookie(response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
