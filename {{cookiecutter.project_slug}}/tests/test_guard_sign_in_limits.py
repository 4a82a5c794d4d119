"""Sign-in limits: too many attempts for an e-mail answer 429, whichever worker takes them,
for an e-mail with an account or without; and attempts at once reach no more password checks
than the limit (auth/throttle.py)."""

import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.auth import passwords
from {{ cookiecutter.package_name }}.settings import Settings

from tests.factories import PASSWORD, new_account, new_user
from tests.problems import assert_problem, in_process
from tests.server import serving

AT_ONCE = 100


@pytest.mark.parametrize("known", [True, False], ids=["an account's e-mail", "an unknown e-mail"])
def test_too_many_attempts_for_an_email_answer_429(
    settings: Settings, arrange: sessionmaker[Session], known: bool
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        if known:
            new_account(session, user)
    limit = settings.sign_in_attempts
    # Two apps on one database, as two workers are: each takes every other attempt.
    with in_process(create_app(settings)) as one, in_process(create_app(settings)) as two:
        wrong = [
            (one, two)[attempt % 2].post(
                "/accounts/token", json={"email": user.email, "password": "not it!"}
            )
            for attempt in range(limit)
        ]
        over = one.post("/accounts/token", json={"email": user.email, "password": PASSWORD})
    assert [answer.status_code for answer in wrong] == [401] * limit, [w.text for w in wrong]
    assert over.status_code == 429, (
        f"attempt {limit + 1} for one e-mail, taken by two workers, answered "
        f"{over.status_code}: a password can be guessed at the speed of the service. Count "
        "each attempt in the database and refuse those over the limit (SignInLimits.check)"
    )
    assert_problem(over, 429, "POST /accounts/token")
    wait = int(over.headers["retry-after"])
    assert 0 < wait <= settings.sign_in_window_s, over.headers
    assert over.headers["ratelimit"] == f'"account";r=0;t={wait}', over.headers
    assert f'"account";q={limit};w=' in over.headers["ratelimit-policy"], over.headers


def counting(check: Callable[..., Any], checks: list[None]) -> Callable[..., Any]:
    @functools.wraps(check)
    def counted(*args: Any) -> Any:
        checks.append(None)
        return check(*args)

    return counted


def test_attempts_at_once_reach_no_more_checks_than_the_limit(
    settings: Settings,
    arrange: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with arrange.begin() as session:
        user = new_user(session)
        new_account(session, user)
    checks: list[None] = []
    monkeypatch.setattr(passwords, "_check", counting(passwords._check, checks))
    body = {"email": user.email, "password": "not it!"}
    with serving(create_app(settings)) as url, ThreadPoolExecutor(20) as pool:

        def attempt(_: int) -> int:
            return httpx2.post(f"{url}/accounts/token", json=body, timeout=30).status_code

        answers = list(pool.map(attempt, range(AT_ONCE)))
    assert sorted(set(answers)) == [401, 429], answers
    limit = settings.sign_in_attempts
    assert len(checks) <= limit, (
        f"{AT_ONCE} wrong passwords sent at once reached {len(checks)} password checks, for a "
        f"limit of {limit}: each attempt over the limit cost a hash. Count each attempt, and "
        "check the limit, before its password (sign_in_attempt.counted, SignInLimits.check)"
    )
