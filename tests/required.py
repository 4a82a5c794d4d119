"""What a test needs of the machine and may not find there (a PostgreSQL server, a container
engine): without it the test skips with the reason, except under CI=true, where it fails."""

import os
from typing import NoReturn

import pytest


def unavailable(message: str) -> NoReturn:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)
