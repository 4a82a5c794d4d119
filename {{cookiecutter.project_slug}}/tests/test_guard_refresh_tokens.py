"""Refresh tokens: each is traded once for the next, a token used twice revokes every token of
its sign-in, an expired one or one signed out is refused, none is stored as it is sent, and
in the cookie mode none is where a script can read it."""

import datetime as dt
import threading
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.auth.refresh import digest
from {{ cookiecutter.package_name }}.models import refresh_tokens
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import PASSWORD, new_account, new_user
from tests.problems import in_process

REFRESH = "/accounts/token/refresh"


def signed_in(client: TestClient, arrange: sessionmaker[Session]) -> str:
    """A new account's refresh token, from signing in."""
    with arrange.begin() as session:
        user = new_user(session)
        new_account(session, user)
    answer = client.post("/accounts/token", json={"email": user.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["refresh_token"]
    return token


def refreshed(client: TestClient, token: str) -> str | None:
    """The next refresh token, or None where the token is refused (401)."""
    answer = client.post(REFRESH, json={"refresh_token": token})
    assert answer.status_code in (200, 401), answer.text
    return answer.json()["refresh_token"] if answer.status_code == 200 else None


def test_a_refresh_token_is_traded_once(client: TestClient, arrange: sessionmaker[Session]) -> None:
    first = signed_in(client, arrange)
    assert refreshed(client, first) is not None, "a refresh token just issued was refused"
    again = refreshed(client, first)
    assert again is None, (
        "a refresh token was traded twice: whoever copied it keeps the account for as long as "
        "they like. Take it in the statement that checks it is unused (refresh_token.taken)"
    )


def beside_a_refresh_in_flight(
    engine: Engine, request: Callable[[], int], taken: str, added: str | None = None
) -> list[int]:
    """What `request` answers, sent while another refresh, not yet committed, has taken the
    token `taken` (and added the next of its family, `added`)."""
    answers: list[int] = []
    with engine.connect() as elsewhere:
        now = dt.datetime.now(dt.UTC)
        took = update(refresh_tokens).where(refresh_tokens.c.token_hash == digest(taken))
        returned = (refresh_tokens.c.account_id, refresh_tokens.c.family)
        row = elsewhere.execute(took.values(used_at=now).returning(*returned)).one()
        if added is not None:
            later = now + dt.timedelta(days=1)
            next_one = {"token_hash": digest(added), "expires_at": later}
            elsewhere.execute(insert(refresh_tokens).values(**row._asdict(), **next_one))
        sent = threading.Thread(target=lambda: answers.append(request()))
        sent.start()
        time.sleep(0.5)  # the request reaches the rows the refresh in flight holds, and waits
        elsewhere.commit()
    sent.join(timeout=30)
    return answers


def test_a_token_taken_by_a_refresh_in_flight_is_refused(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    """A refresh beside another in flight with its token waits for it, then refuses the token:
    one statement takes it, so no read can find it unused while another has it."""
    token = signed_in(client, arrange)
    answers = beside_a_refresh_in_flight(
        fresh_engine, lambda: client.post(REFRESH, json={"refresh_token": token}).status_code, token
    )
    assert answers == [401], (
        f"a refresh beside another in flight with its token answered {answers}: both trade it. "
        "Take the token in the statement that checks it is unused (refresh_token.taken)"
    )


def test_a_reuse_beside_a_refresh_in_flight_revokes_what_it_adds(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    stolen = signed_in(client, arrange)
    kept = refreshed(client, stolen)  # its thief's, who refreshes it as its owner reuses stolen
    assert kept is not None
    added = "the next token, that the refresh in flight adds"
    answers = beside_a_refresh_in_flight(
        fresh_engine,
        lambda: client.post(REFRESH, json={"refresh_token": stolen}).status_code,
        kept,
        added,
    )
    assert answers == [401], f"a reused refresh token answered {answers}"
    assert refreshed(client, added) is None, (
        "a reuse revoked its sign-in but missed the token a refresh in flight added: the thief "
        "keeps the account. Lock the family's tokens before deleting them "
        "(refresh_token.family_locked)"
    )


def test_a_token_used_twice_revokes_its_sign_in(
    client: TestClient, arrange: sessionmaker[Session]
) -> None:
    stolen = signed_in(client, arrange)
    kept = refreshed(client, stolen)  # the first to use it: its owner or its thief
    assert kept is not None
    assert refreshed(client, stolen) is None, "a refresh token was traded twice"
    assert refreshed(client, kept) is None, (
        "a refresh token used a second time left its sign-in's newer tokens valid: one who "
        "stole it first keeps the account. Revoke every token of its family "
        "(sign_ins.revoke_if_used)"
    )


def test_a_signed_out_token_is_refused(client: TestClient, arrange: sessionmaker[Session]) -> None:
    first = signed_in(client, arrange)
    latest = refreshed(client, first)
    assert latest is not None
    assert client.post("/accounts/sign-out", json={"refresh_token": latest}).status_code == 204
    assert refreshed(client, latest) is None, (
        "a refresh token still worked after signing out with it (sign_ins.sign_out)"
    )


def test_an_expired_token_is_refused(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    token = signed_in(client, arrange)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with fresh_engine.begin() as connection:
        connection.execute(update(refresh_tokens).values(expires_at=past))
    assert refreshed(client, token) is None, (
        "a refresh token was traded after it expired (REFRESH_TOKEN_DAYS): refuse one whose "
        "expires_at has passed (refresh_token.taken)"
    )


def test_a_refresh_token_is_stored_hashed(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    token = signed_in(client, arrange)
    with fresh_engine.connect() as connection:
        rows = [str(row) for row in connection.execute(select(refresh_tokens))]
    assert rows, "signing in stored no refresh token"
    clear = [row for row in rows if token in row]
    assert not clear, (
        f"a refresh token is stored as it is sent: a copy of the database signs in as anyone. "
        f"Store its digest (auth/refresh.py): {clear}"
    )


def test_in_the_cookie_mode_no_script_reads_the_token(
    settings: Settings, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        new_account(session, user)
    app = create_app(settings.model_copy(update={"refresh_token_cookie": True}))
    # Over HTTPS: browsers send a Secure cookie over HTTPS only, and so does the test client.
    with in_process(app, base_url="https://testserver") as browser:
        signed = browser.post("/accounts/token", json={"email": user.email, "password": PASSWORD})
        attributes = {a.strip().lower() for a in signed.headers["set-cookie"].split(";")[1:]}
        missing = sorted({"httponly", "secure", "samesite=strict", "path=/accounts"} - attributes)
        assert signed.json()["refresh_token"] is None, (
            "in the cookie mode, the refresh token is in the answer's body too: a script (one "
            "injected into the page) reads it and signs in elsewhere (RefreshTokens.handed)"
        )
        assert not missing, (
            f"in the cookie mode, the refresh token's cookie lacks {missing}: a script reads "
            "it, or it travels in clear, or another site's request carries it (_set_cookie)"
        )
        refreshed = browser.post(REFRESH)  # the cookie presents the token
        assert refreshed.status_code == 200, refreshed.text
        assert browser.post("/accounts/sign-out").status_code == 204
        assert browser.post(REFRESH).status_code == 401, "the cookie outlived signing out"
