"""Killed mid-load, the service keeps every row it answered 201 for, and an intact database.

The service is driven by concurrent writers and killed with SIGKILL (no shutdown, no chance
to flush anything), then started again on the same database. On PostgreSQL only the service
dies; the server stays up.
"""

import http.client
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.rendering import environment
from tests.service import Service
from tests.variants import Variant, params

ROUNDS = 3
WRITERS = 16
LOAD_S = 1.0  # of load before each kill


def write_until_refused(port: int, writer: int, acknowledged: list[int]) -> None:
    """POST users until the server goes away; record the id of every 201."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    number = 0
    try:
        while True:
            number += 1
            body = {"email": f"w{writer}-{number}-{time.time_ns()}@example.com", "name": "W"}
            connection.request(
                "POST", "/users", json.dumps(body), {"content-type": "application/json"}
            )
            response = connection.getresponse()
            answer = json.loads(response.read())
            if response.status == 201:
                acknowledged.append(answer["id"])
    except (OSError, http.client.HTTPException):
        return
    finally:
        connection.close()


@pytest.mark.parametrize("variant_name", params(["sqlite", "postgresql-docker"]))
def test_every_acknowledged_write_survives_kill_9(
    variant_name: str, prepared: Callable[[str], Variant], tmp_path: Path
) -> None:
    variant = prepared(variant_name)
    url = variant.env.get("DATABASE_URL", f"sqlite:///{tmp_path / 'crash.db'}")
    command = [variant.bin(variant.slug), "serve"]
    acknowledged: list[int] = []
    for round_ in range(ROUNDS):
        env = environment(**variant.env | {"DATABASE_URL": url})
        service = Service(command, variant.project, env)
        service.start()
        before = len(acknowledged)
        writers = [
            threading.Thread(target=write_until_refused, args=(service.port, n, acknowledged))
            for n in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        time.sleep(LOAD_S)
        service.kill()  # SIGKILL, mid-load
        for writer in writers:
            writer.join(15)
        assert len(acknowledged) > before, f"round {round_}: no write was acknowledged"

    engine = create_engine(url)
    with engine.connect() as connection:
        stored = set(connection.execute(text("SELECT id FROM users")).scalars())
        # SQLite's file was written by the killed process; PostgreSQL's server stayed up.
        if url.startswith("sqlite"):
            check = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            assert check == "ok", f"PRAGMA integrity_check after kill -9: {check}"
    engine.dispose()
    lost = sorted(set(acknowledged) - stored)
    assert not lost, f"{len(lost)} of {len(acknowledged)} rows answered 201 are gone: {lost[:10]}"
