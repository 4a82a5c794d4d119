"""Accounts through the API: sign up, sign in, the signed-in caller's own account, roles."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.auth.access import role
from {{ cookiecutter.package_name }}.auth.tokens import Caller, Tokens
from {{ cookiecutter.package_name }}.cli.arguments import command_line
from {{ cookiecutter.package_name }}.maintenance.roles import NoAccount, set_role
from {{ cookiecutter.package_name }}.models import Account
from {{ cookiecutter.package_name }}.models.account import ROLES
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import PASSWORD, new_account, new_project, new_task, new_user
from tests.problems import in_process

pytestmark = pytest.mark.tokens  # the app as deployed (conftest.py)


def test_signing_up_then_in_gives_a_token_of_the_account(client: TestClient) -> None:
    account = client.post(
        "/accounts", json={"email": "Ada@Example.com", "name": "Ada", "password": PASSWORD}
    )
    assert account.status_code == 201, account.text
    signed = client.post("/accounts/token", json={"email": "ada@example.com", "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    token = signed.json()["access_token"]
    me = client.get("/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == account.json(), "the token is of another account"
    shown = str(account.json())
    assert "password" not in shown, f"an account's answer shows its password: {shown}"
    assert "hash" not in shown, f"an account's answer shows its password's hash: {shown}"


def test_a_route_for_a_role_refuses_the_other_roles(
    settings: Settings, arrange: sessionmaker[Session]
) -> None:
    app = create_app(settings)

    @app.delete("/everything", dependencies=[role("admin")])
    async def delete_everything() -> None:
        """What only an admin may do."""

    with arrange.begin() as session:
        member = new_account(session, new_user(session))
        admin = new_account(session, new_user(session), role="admin")
    tokens: Tokens = app.state.auth.tokens
    answered = {}
    with in_process(app) as client:
        for account in (member, admin):
            token = tokens.issue(Caller.of(account))
            response = client.delete("/everything", headers={"Authorization": f"Bearer {token}"})
            answered[account.role] = response.status_code
    assert answered == {"member": 403, "admin": 200}, answered


def test_a_refresh_gives_the_role_the_account_has_now(
    app: FastAPI, client: TestClient, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        account = new_account(session, user)
    signed = client.post("/accounts/token", json={"email": user.email, "password": PASSWORD})
    with arrange.begin() as session:
        session.execute(update(Account).where(Account.id == account.id).values(role="admin"))
    body = {"refresh_token": signed.json()["refresh_token"]}
    refreshed = client.post("/accounts/token/refresh", json=body)
    assert refreshed.status_code == 200, refreshed.text
    tokens: Tokens = app.state.auth.tokens
    caller = tokens.verified(refreshed.json()["access_token"])
    assert caller == Caller(account.id, user.id, "admin"), caller


def test_signing_in_clears_the_count_of_wrong_passwords(
    settings: Settings, client: TestClient, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        new_account(session, user)
    wrong = {"email": user.email, "password": "not it!"}
    limit = settings.sign_in_attempts
    answers = [client.post("/accounts/token", json=wrong) for _ in range(limit - 1)]
    answers.append(client.post("/accounts/token", json=wrong | {"password": PASSWORD}))
    answers += [client.post("/accounts/token", json=wrong) for _ in range(limit)]
    codes = [answer.status_code for answer in answers]
    assert codes == [401] * (limit - 1) + [200] + [401] * limit, codes


def test_an_account_of_each_role_can_be_stored(arrange: sessionmaker[Session]) -> None:
    """ROLES and the migrated CHECK constraint on accounts.role say the same."""
    with arrange.begin() as session:
        stored = [new_account(session, new_user(session), role=name).role for name in ROLES]
    assert stored == list(ROLES)


def test_a_route_cannot_ask_for_a_role_nobody_has() -> None:
    with pytest.raises(ValueError, match="no role 'auditor'"):
        role("auditor")


def test_an_admin_sees_and_changes_every_members_rows(
    app: FastAPI, client: TestClient, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        project = new_project(session, new_user(session))
        task = new_task(session, project)
        admin = new_account(session, new_user(session), role="admin")
    tokens: Tokens = app.state.auth.tokens
    headers = {"Authorization": f"Bearer {tokens.issue(Caller.of(admin))}"}
    listed = client.get("/projects", headers=headers).json()["items"]
    assert [row["id"] for row in listed] == [project.id], listed
    changed = client.patch(f"/tasks/{task.id}", json={"done": True}, headers=headers)
    assert changed.status_code == 200, changed.text


def test_set_role_makes_the_first_admin(
    settings: Settings, arrange: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        account = new_account(session, user)
    set_role(settings, f" {user.email.upper()} ", "admin")  # as typed: the stored one is lower
    with arrange.begin() as session:
        assert session.get_one(Account, account.id).role == "admin"
    with pytest.raises(NoAccount, match="sign up first"):
        set_role(settings, "nobody@example.com", "admin")
    with pytest.raises(SystemExit):
        command_line().parse_args(["set-role", user.email, "root"])
    assert "invalid choice: 'root'" in capsys.readouterr().err
