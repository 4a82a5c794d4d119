"""Who may call each route. Each route declares it, in its router's `dependencies` or its
own (tests/test_guard_access.py fails on a route that does not):

    router = APIRouter(prefix="/tags", dependencies=[PUBLIC])    # anyone
    async def read_account(caller: SignedIn) -> ...              # a signed-in caller
    admin = APIRouter(prefix="/admin", dependencies=[role("admin")])  # that role's

A route declares one of them: a route of a PUBLIC router that asks for a caller is refused.

A caller shows who they are with an access token (POST /accounts/token) in the header
`Authorization: Bearer <token>`; a route that is not public answers 401 without a valid one.
A token carries the role its account had when it was issued: a new role takes effect at the
account's next sign-in or refresh, within ACCESS_TOKEN_MINUTES.
"""

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import AppError, Forbidden
from ..models.account import ROLES
from ..settings import Settings
from .refresh import RefreshTokens
from .throttle import SignInLimits
from .tokens import Caller, Tokens


class Unauthorized(AppError):
    status_code = 401
    headers: ClassVar = {"WWW-Authenticate": "Bearer"}


class InvalidToken(Unauthorized):
    headers: ClassVar = {"WWW-Authenticate": 'Bearer error="invalid_token"'}  # RFC 6750, 3.1


_bearer = HTTPBearer(auto_error=False, description="An access token from POST /accounts/token")


@dataclass(frozen=True)
class Auth:
    """What signs and checks access tokens, issues refresh tokens and limits sign-ins, of the
    settings: create_app keeps it in app.state.auth."""

    tokens: Tokens
    refresh_tokens: RefreshTokens
    sign_in_limits: SignInLimits

    @classmethod
    def of(cls, settings: Settings) -> "Auth":
        return cls(Tokens.of(settings), RefreshTokens.of(settings), SignInLimits.of(settings))


def _auth(request: Request) -> Auth:
    auth: Auth = request.app.state.auth
    return auth


AuthDep = Annotated[Auth, Depends(_auth)]


def public() -> None:
    """Anyone may call the route: declared, so that no route is public by omission."""


async def signed_in(
    auth: AuthDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthorized(
            "sign in: send Authorization: Bearer <access token> (from POST /accounts/token)"
        )
    if (caller := auth.tokens.verified(credentials.credentials)) is None:
        raise InvalidToken("the access token is not valid, or has expired: refresh it")
    return caller


SignedIn = Annotated[Caller, Depends(signed_in)]


@dataclass(frozen=True)
class Role:
    """What a route for the role `name` depends on: its caller, if theirs is the role; others,
    signed in, answer 403."""

    name: str

    async def __call__(self, caller: SignedIn) -> Caller:
        if caller.role != self.name:
            raise Forbidden(f"only an account of the role {self.name!r} may do this")
        return caller


def role(name: str) -> Any:
    """Callers of the role `name` only."""
    if name not in ROLES:
        raise ValueError(f"no role {name!r}: roles are {', '.join(ROLES)} (models/account.py)")
    return Depends(Role(name))


PUBLIC: Final = Depends(public)
SIGNED_IN: Final = Depends(signed_in)


async def owned_by(caller: SignedIn) -> int | None:
    """Whose projects and tasks the caller sees and changes: their own; an admin, everyone's
    (None). Another's row is answered 404, as one that does not exist (services/rows.py)."""
    return None if caller.role == "admin" else caller.user_id


# What a route's dependencies must include, one way or another (role() depends on signed_in).
DECLARATIONS: Final = (public, signed_in)
