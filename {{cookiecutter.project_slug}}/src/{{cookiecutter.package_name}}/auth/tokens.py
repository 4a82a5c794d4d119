"""Access tokens: JSON Web Tokens that last ACCESS_TOKEN_MINUTES, signed with SECRET_KEY by
HS256, and only HS256: a token that names another algorithm (`none` among them) is refused."""

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Final

import jwt
from pydantic import SecretStr

from ..models import Account
from ..settings import Settings

ALGORITHM: Final = "HS256"
REQUIRED: Final = ["exp", "iat", "sub"]
# Hosts' clocks differ a little: a token just issued elsewhere is not yet "from the future".
LEEWAY: Final = dt.timedelta(seconds=10)


@dataclass(frozen=True)
class Caller:
    """Who a valid token says is calling."""

    account_id: int
    user_id: int
    role: str

    @classmethod
    def of(cls, account: Account) -> "Caller":
        return cls(account.id, account.user_id, account.role)


@dataclass(frozen=True)
class Tokens:
    key: SecretStr
    lifetime: dt.timedelta

    @classmethod
    def of(cls, settings: Settings) -> "Tokens":
        return cls(settings.secret_key, dt.timedelta(minutes=settings.access_token_minutes))

    def issue(self, caller: Caller) -> str:
        now = dt.datetime.now(dt.UTC)
        claims = {
            "sub": str(caller.account_id),
            "uid": caller.user_id,
            "role": caller.role,
            "iat": now,
            "exp": now + self.lifetime,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(claims, self.key.get_secret_value(), algorithm=ALGORITHM)

    def verified(self, token: str) -> Caller | None:
        """The caller the token names, or None unless it is one of ours and still valid."""
        try:
            claims = jwt.decode(
                token,
                self.key.get_secret_value(),
                algorithms=[ALGORITHM],
                options={"require": REQUIRED},
                leeway=LEEWAY,
            )
            return Caller(int(claims["sub"]), int(claims["uid"]), str(claims["role"]))
        except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
            return None
