from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr

from .common import Name, RequestBody, ResponseBody
from .user import Email

# At least 8 characters and up to 256 (NIST SP 800-63B asks for 8, and room for 64 or more):
# Argon2 takes any length at the same cost.
Password = Annotated[SecretStr, Field(min_length=8, max_length=256)]


class AccountCreate(RequestBody):
    """Sign up: a user and their account."""

    email: Email
    name: Name
    password: Password


class AccountRead(ResponseBody):
    id: int
    user_id: int
    role: str


class SignIn(RequestBody):
    email: Email
    # No least length: a password that is not an account's answers 401 whatever its length.
    password: Annotated[SecretStr, Field(max_length=256)]


# token_urlsafe(32) is 43 characters: room to spare, no room for a megabyte.
RefreshToken = Annotated[str, Field(min_length=1, max_length=100)]


class AccessToken(BaseModel):
    """OAuth 2's answer (RFC 6749, 5.1): send access_token as `Authorization: Bearer ...`;
    trade refresh_token, once, for the next pair at POST /accounts/token/refresh."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (OAuth's word, not a secret)
    expires_in: int  # seconds
    refresh_token: str | None  # null where a cookie carries it (REFRESH_TOKEN_COOKIE)


class Refresh(RequestBody):
    """The refresh token, where no cookie carries it."""

    refresh_token: RefreshToken
