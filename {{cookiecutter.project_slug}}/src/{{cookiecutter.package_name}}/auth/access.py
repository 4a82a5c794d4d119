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

from typing import Annotated, Any, ClassVar, Final

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import AppError, Forbidden
from ..models.account import ROLES
from .refresh import RefreshTokens
from .throttle import SignInLimits
from .tokens import Caller, Tokens


class Unauthorized(AppError):
    status_code = 401
    headers: ClassVar = {"WWW-Authenticate": "Bearer"}


class InvalidToken(Unauthorized):
    headers: ClassVar = {"WWW-Authenticate": 'Bearer error="invalid_token"'}  # RFC 6750, 3.1


_bearer = HTTPBearer(auto_error=False, description="An access token from POST /accounts/token")


def _tokens(request: Request) -> Tokens:
    tokens: Tokens = request.app.state.tokens  # create_app's, of SECRET_KEY
    return tokens


def _refresh_tokens(request: Request) -> RefreshTokens:
    refresh_tokens: RefreshTokens = request.app.state.refresh_tokens  # create_app's
    return refresh_tokens


def _sign_in_limits(request: Request) -> SignInLimits:
    limits: SignInLimits = request.app.state.sign_in_limits  # create_app's
    return limits


TokensDep = Annotated[Tokens, Depends(_tokens)]
RefreshTokensDep = Annotated[RefreshTokens, Depends(_refresh_tokens)]
SignInLimitsDep = Annotated[SignInLimits, Depends(_sign_in_limits)]


def public() -> None:
    """Anyone may call the route: declared, so that no route is public by omission."""


async def signed_in(
    tokens: TokensDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None:
        raise Unauthorized(
            "sign in: send Authorization: Bearer <access token> (from POST /accounts/token)"
        )
    if (caller := tokens.verified(credentials.credentials)) is None:
        raise InvalidToken("the access token is not valid, or has expired: refresh it")
    return caller


def role(name: str) -> Any:
    """Callers of the role `name` only; others, signed in, answer 403."""
    if name not in ROLES:
        raise ValueError(f"no role {name!r}: roles are {', '.join(ROLES)} (models/account.py)")

    async def of_the_role(caller: SignedIn) -> Caller:
        if caller.role != name:
            raise Forbidden(f"only an account of the role {name!r} may do this")
        return caller

    return Depends(of_the_role)


PUBLIC: Final = Depends(public)
SignedIn = Annotated[Caller, Depends(signed_in)]
SIGNED_IN: Final = Depends(signed_in)


async def owned_by(caller: SignedIn) -> int | None:
    """Whose projects and tasks the caller sees and changes: their own; an admin, everyone's
    (None). Another's row is answered 404, as one that does not exist (services/rows.py)."""
    return None if caller.role == "admin" else caller.user_id


# What a route's dependencies must include, one way or another (role() depends on signed_in).
DECLARATIONS: Final = (public, signed_in)
