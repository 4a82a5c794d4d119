"""Sign-in throttling: at most SIGN_IN_ATTEMPTS per e-mail, and SIGN_IN_ATTEMPTS_PER_CLIENT per
client address, in each SIGN_IN_WINDOW_S; more answer 429 until the window ends.

An attempt is counted before its password is checked, in the database, in one statement: of
a hundred at once only the limit's worth reach a check, whichever worker takes them. A
sign-in that succeeds clears its e-mail's count; its address's stays. An e-mail with no
account is counted as one with an account is.

Behind a proxy, the client's address is the proxy's unless uvicorn is told to trust its
X-Forwarded-For (FORWARDED_ALLOW_IPS).
"""

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import AppError
from ..settings import Settings


class TooManyAttempts(AppError):
    status_code = 429


@dataclass(frozen=True)
class Limit:
    name: str  # the policy's name in the RateLimit headers
    key: str  # what the database counts by
    most: int


class Attempt(NamedTuple):
    """The limits an attempt counts against."""

    by_email: Limit
    by_client: Limit


@dataclass(frozen=True)
class SignInLimits:
    per_account: int
    per_client: int
    window_s: int

    @classmethod
    def of(cls, settings: Settings) -> "SignInLimits":
        return cls(
            settings.sign_in_attempts,
            settings.sign_in_attempts_per_client,
            settings.sign_in_window_s,
        )

    def of_attempt(self, email: str, client: str) -> Attempt:
        return Attempt(
            Limit("account", _key("account", email), self.per_account),
            Limit("client", _key("client", client), self.per_client),
        )

    def check(self, limits: Attempt, counted: list[tuple[int, int]], now: int) -> None:
        """Raise TooManyAttempts where an attempt, counted, goes over a limit."""
        over = [
            (limit, resets_at)
            for limit, (attempts, resets_at) in zip(limits, counted, strict=True)
            if attempts > limit.most
        ]
        if not over:
            return
        limit, resets_at = max(over, key=lambda found: found[1])
        wait = max(resets_at - now, 1)
        # The IETF's RateLimit fields (draft-ietf-httpapi-ratelimit-headers).
        policies = ", ".join(f'"{each.name}";q={each.most};w={self.window_s}' for each in limits)
        raise TooManyAttempts(
            f"too many sign-in attempts: try again in {wait} s",
            {
                "Retry-After": str(wait),
                "RateLimit-Policy": policies,
                "RateLimit": f'"{limit.name}";r=0;t={wait}',
            },
        )


def _key(kind: str, value: str) -> str:
    """A key of a fixed length that keeps no e-mail nor address."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()
