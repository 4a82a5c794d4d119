import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Request, Response

from ..auth import passwords
from ..auth.access import (
    PUBLIC,
    Auth,
    AuthDep,
    SignedIn,
    Unauthorized,
)
from ..auth.refresh import COOKIE, Issued, digest, new_family
from ..auth.throttle import TooManyAttempts
from ..auth.tokens import Caller
from ..errors import Conflict, responses
from ..models import Account
from ..schemas import AccessToken, AccountCreate, AccountRead, Refresh, RefreshToken, SignIn
from ..services import accounts, sign_ins
from .dependencies import DatabaseDep

router = APIRouter(prefix="/accounts", tags=["accounts"])


def presented(
    body: Refresh | None = None,
    cookie: Annotated[RefreshToken | None, Cookie(alias=COOKIE)] = None,
) -> str:
    """The refresh token a request presents: in its body, or in the cookie of the cookie mode."""
    if body is not None:
        return body.refresh_token
    if cookie is not None:
        return cookie
    raise Unauthorized('send the refresh token: {"refresh_token": ...} (or its cookie)')


PresentedDep = Annotated[str, Depends(presented)]


@router.post(
    "",
    status_code=201,
    response_model=AccountRead,
    responses=responses(Conflict),
    dependencies=[PUBLIC],
)
async def create_account(body: AccountCreate, database: DatabaseDep) -> Account:
    """Sign up: a user and their account; the e-mail must be unused."""
    password_hash = await passwords.hashed(body.password.get_secret_value())
    return await database.write(accounts.create_account, body=body, password_hash=password_hash)


@router.post("/token", responses=responses(Unauthorized, TooManyAttempts), dependencies=[PUBLIC])
async def sign_in(
    body: SignIn,
    request: Request,
    response: Response,
    database: DatabaseDep,
    auth: AuthDep,
) -> AccessToken:
    """Sign in: an access token and a refresh token for an account's e-mail and password. An
    unknown e-mail and a wrong password answer alike, and take as long. Too many attempts
    for the e-mail, or from the client, answer 429 until their window ends."""
    now = dt.datetime.now(dt.UTC)
    epoch_s = int(now.timestamp())  # the limits' clock
    client = request.client.host if request.client is not None else ""
    limits = auth.sign_in_limits
    attempt = limits.of_attempt(body.email, client)
    keys = [limit.key for limit in attempt]
    counted = await database.write(
        sign_ins.attempt, keys=keys, now=epoch_s, window_s=limits.window_s
    )
    limits.check(attempt, counted, epoch_s)
    account = await database.read(accounts.account_of, email=body.email)
    stored = account.password_hash if account is not None else None
    kept = await passwords.checked(body.password.get_secret_value(), stored)
    if account is None or stored is None or kept is None:
        raise Unauthorized("wrong e-mail or password")
    issued = auth.refresh_tokens.issue(now)
    signed_in = await database.write(
        sign_ins.sign_in,
        account_id=account.id,
        attempts_key=attempt.by_email.key,
        checked_hash=stored,
        new_hash=kept,  # hashed again where the parameters have changed
        family=new_family(),
        token_hash=issued.token_hash,
        expires_at=issued.expires_at,
        now=now,
    )
    if not signed_in:  # the password changed since it was checked
        raise Unauthorized("wrong e-mail or password")
    return _answer(auth, account, issued, response)


@router.post("/token/refresh", responses=responses(Unauthorized), dependencies=[PUBLIC])
async def refresh(
    token: PresentedDep,
    response: Response,
    database: DatabaseDep,
    auth: AuthDep,
) -> AccessToken:
    """A new access token and the next refresh token, for a refresh token not used before; the
    account's role as it is now. One used before revokes every token of its sign-in."""
    now = dt.datetime.now(dt.UTC)
    token_hash, issued = digest(token), auth.refresh_tokens.issue(now)
    account = await database.write(
        sign_ins.refresh,
        token_hash=token_hash,
        next_hash=issued.token_hash,
        expires_at=issued.expires_at,
        now=now,
    )
    if account is not None:
        return _answer(auth, account, issued, response)
    # Used before: stolen, or its thief used it first. Revoked in a transaction of its own,
    # which commits before the 401.
    if await database.write(sign_ins.revoke_if_used, token_hash=token_hash):
        raise Unauthorized("the refresh token was used before: its sign-in is revoked")
    raise Unauthorized("the refresh token is not valid, or has expired: sign in again")


@router.post("/sign-out", status_code=204, responses=responses(Unauthorized), dependencies=[PUBLIC])
async def sign_out(
    token: PresentedDep,
    response: Response,
    database: DatabaseDep,
    auth: AuthDep,
) -> None:
    """Revoke the refresh token and every other of its sign-in. Access tokens already issued
    last until they expire (ACCESS_TOKEN_MINUTES): keep them short."""
    await database.write(sign_ins.sign_out, token_hash=digest(token))
    auth.refresh_tokens.forget(response)


@router.get("/me", response_model=AccountRead)
async def read_my_account(caller: SignedIn, database: DatabaseDep) -> Account:
    """The signed-in caller's account."""
    return await database.read(accounts.get_account, account_id=caller.account_id)


def _answer(auth: Auth, account: Account, issued: Issued, response: Response) -> AccessToken:
    return AccessToken(
        access_token=auth.tokens.issue(Caller.of(account)),
        expires_in=int(auth.tokens.lifetime.total_seconds()),
        refresh_token=auth.refresh_tokens.handed(issued, response),
    )
