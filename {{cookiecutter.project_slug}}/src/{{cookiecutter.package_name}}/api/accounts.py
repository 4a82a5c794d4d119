from fastapi import APIRouter

from ..auth import passwords
from ..auth.access import PUBLIC, SignedIn, TokensDep, Unauthorized
from ..auth.tokens import Caller
from ..errors import Conflict, responses
from ..models import Account
from ..schemas import AccessToken, AccountCreate, AccountRead, SignIn
from ..services import accounts
from .dependencies import DatabaseDep

router = APIRouter(prefix="/accounts", tags=["accounts"])


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


@router.post("/token", responses=responses(Unauthorized), dependencies=[PUBLIC])
async def sign_in(body: SignIn, database: DatabaseDep, tokens: TokensDep) -> AccessToken:
    """Sign in: an access token for an account's e-mail and password. An unknown e-mail and
    a wrong password answer alike, and take as long."""
    account = await database.read(accounts.account_of, email=body.email)
    stored = account.password_hash if account is not None else None
    kept = await passwords.checked(body.password.get_secret_value(), stored)
    if account is None or kept is None:
        raise Unauthorized("wrong e-mail or password")
    if kept != stored:  # hashed again with today's parameters
        await database.write(
            accounts.store_password_hash, account_id=account.id, password_hash=kept
        )
    token = tokens.issue(Caller.of(account))
    return AccessToken(access_token=token, expires_in=int(tokens.lifetime.total_seconds()))


@router.get("/me", response_model=AccountRead, responses=responses(Unauthorized))
async def read_my_account(caller: SignedIn, database: DatabaseDep) -> Account:
    """The signed-in caller's account."""
    return await database.read(accounts.get_account, account_id=caller.account_id)
