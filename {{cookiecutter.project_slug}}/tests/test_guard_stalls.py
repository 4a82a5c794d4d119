"""A call that holds a worker's event loop is named in a warning: while it runs, no other
request of the worker moves, not even /healthz.
"""

import logging
import time

import httpx2
import pytest

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.settings import Settings

from tests.server import serving

HELD_S = 0.3


def test_a_call_that_holds_the_event_loop_is_named(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings.model_copy(update={"blocked_loop_warn_ms": 100}))

    @app.get("/hold")
    async def hold_the_loop() -> None:
        time.sleep(HELD_S)

    with caplog.at_level(logging.WARNING), serving(app) as server_url:
        assert httpx2.get(f"{server_url}/hold").status_code == 200
    warnings = [record.getMessage() for record in caplog.records]
    named = [message for message in warnings if "hold_the_loop" in message]
    assert len(named) == 1, (
        f"a call held the event loop {HELD_S} s: not named in one warning (loop_watch.py), "
        f"the warnings were {warnings}"
    )
