"""Passwords: stored as Argon2id hashes of OWASP's parameters, hashed again with today's
parameters as their owner signs in, checked off the event loop, and an unknown e-mail takes
as long to refuse as a wrong password (the time of an answer tells which e-mails exist)."""

import logging
import statistics
import time

import httpx2
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.models import Account
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import PASSWORD, new_account, new_user
from tests.problems import in_process
from tests.server import serving

# OWASP's least: Argon2id, 19 MiB, two iterations.
LEAST = ("argon2id", 19 * 1024, 2)
TRIES = 7
UNKNOWN = "nobody@example.com"


def parameters(stored: str) -> tuple[str, int, int]:
    """The type, memory (KiB) and iterations a PHC string names
    ($argon2id$v=19$m=19456,t=2,p=1$salt$hash); ("", 0, 0) for any other text."""
    parts = stored.split("$")
    if len(parts) < 4 or not parts[1].startswith("argon2"):
        return "", 0, 0
    costs = dict(cost.split("=") for cost in parts[3].split(","))
    return parts[1], int(costs["m"]), int(costs["t"])


def stored_hash(engine: Engine, account_id: int) -> str:
    with engine.connect() as connection:
        hashed = connection.scalar(select(Account.password_hash).where(Account.id == account_id))
    assert hashed is not None
    return hashed


def test_a_password_is_stored_as_an_argon2id_hash(client: TestClient, fresh_engine: Engine) -> None:
    body = {"email": "ada@example.com", "name": "Ada", "password": PASSWORD}
    account = client.post("/accounts", json=body).json()
    stored = stored_hash(fresh_engine, account["id"])
    kind, memory, iterations = found = parameters(stored)
    weaker = kind != LEAST[0] or memory < LEAST[1] or iterations < LEAST[2]
    assert not weaker, (
        f"a password is stored as {found}: it must be an Argon2id hash of at least {LEAST} "
        "(HASHER in auth/passwords.py)"
    )


def test_a_hash_of_older_parameters_is_replaced_at_sign_in(
    client: TestClient, arrange: sessionmaker[Session], fresh_engine: Engine
) -> None:
    older = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with arrange.begin() as session:
        user = new_user(session)
        account = new_account(session, user, password_hash=older)
    signed = client.post("/accounts/token", json={"email": user.email, "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    now = stored_hash(fresh_engine, account.id)
    assert now != older, (
        "a hash of older, weaker parameters was kept after its owner signed in: sign-in must "
        "hash the password again with today's (passwords.checked, check_needs_rehash)"
    )


def sign_in_s(client: TestClient, email: str) -> float:
    started = time.perf_counter()
    response = client.post("/accounts/token", json={"email": email, "password": "not it!"})
    assert response.status_code == 401, response.text
    return time.perf_counter() - started


def test_an_unknown_email_is_refused_as_a_wrong_password_is(
    settings: Settings, arrange: sessionmaker[Session]
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        new_account(session, user)
    # Timed many times over: past the sign-in limits, which would answer 429 before a check.
    unlimited = {"sign_in_attempts": 1000, "sign_in_attempts_per_client": 1000}
    with in_process(create_app(settings.model_copy(update=unlimited))) as client:
        wrong = client.post("/accounts/token", json={"email": user.email, "password": "not it!"})
        unknown = client.post("/accounts/token", json={"email": UNKNOWN, "password": "x"})
        said = [(r.status_code, r.json()["detail"]) for r in (wrong, unknown)]
        assert said[0] == said[1], f"a wrong password and an unknown e-mail answered {said}"
        # In turns, so that a burst of load elsewhere slows both alike.
        taken = [(sign_in_s(client, user.email), sign_in_s(client, UNKNOWN)) for _ in range(TRIES)]
    wrong_s, unknown_s = (statistics.median(times) for times in zip(*taken, strict=True))
    # Without a check, an unknown e-mail answers in the time of a read: a seventh or less.
    # Either way round, the time tells which e-mails have an account.
    apart = max(unknown_s / wrong_s, wrong_s / unknown_s)
    assert apart < 3, (
        f"an unknown e-mail was refused in {unknown_s * 1000:.1f} ms, a wrong password in "
        f"{wrong_s * 1000:.1f} ms (medians of {TRIES}): the time tells which e-mails have an "
        "account. Check the password against a hash of the same parameters either way "
        "(_no_account in auth/passwords.py)"
    )


def test_passwords_are_hashed_off_the_event_loop(
    settings: Settings, arrange: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        new_account(session, user)
    # A hash holds a core some 20-60 ms: on the loop, the loop watch names it.
    app = create_app(settings.model_copy(update={"blocked_loop_warn_ms": 10}))
    with caplog.at_level(logging.WARNING), serving(app) as url:
        body = {"email": "new@example.com", "name": "New", "password": PASSWORD}
        assert httpx2.post(f"{url}/accounts", json=body).status_code == 201
        for password in (PASSWORD, "not it!"):
            body = {"email": user.email, "password": password}
            httpx2.post(f"{url}/accounts/token", json=body)
    held = [message for message in caplog.messages if "passwords.py" in message]
    assert not held, (
        "hashing held the event loop, and every request of the worker with it: hash in a "
        f"thread (auth/passwords.py):\n{held}"
    )
