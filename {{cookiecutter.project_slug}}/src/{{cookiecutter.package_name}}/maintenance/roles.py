"""An account's role, set from the command line: how the first admin comes to be, as every
account signs up a member (POST /accounts)."""

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from ..db.engines import run_on_connection
from ..models import Account, User
from ..settings import Settings


class NoAccount(LookupError):
    """No account signs in with the e-mail."""


def set_role(settings: Settings, email: str, role: str) -> None:
    """Give the role to the account that signs in with the e-mail; its access tokens already
    issued keep the role they carry until they expire, or its next refresh."""
    run_on_connection(settings, lambda connection: _set_role(connection, email, role))


def _set_role(connection: Connection, email: str, role: str) -> None:
    user = select(User.id).where(User.email == email.strip().lower())  # as UserCreate stores it
    with Session(connection) as session, session.begin():
        changed = session.execute(
            update(Account).where(Account.user_id.in_(user)).values(role=role).returning(Account.id)
        )
        if changed.first() is None:
            raise NoAccount(f"no account signs in with {email}: sign up first (POST /accounts)")
