"""What /metrics shows of a running service (observability/): each request counted by its
route and status, the waits for a turn at the database, the connections in use.
"""

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_metrics_count_each_request_by_route_and_status(client: TestClient) -> None:
    labels = {("method", "GET"), ("route", "/tags/{tag_id}"), ("status", "404")}
    not_found = ("http_server_requests_total", frozenset(labels))
    labels = {("method", "GET"), ("route", "/openapi.json"), ("status", "200")}
    document = ("http_server_requests_total", frozenset(labels))
    waited = ("db_wait_duration_seconds_count", frozenset({("place", "writers")}))
    before = _samples(client)
    for _ in range(2):
        assert client.get("/tags/999999").status_code == 404
    assert client.post("/tags", json={"name": "counted"}).status_code == 201
    assert client.get("/openapi.json").status_code == 200
    after = _samples(client)
    counted = after.get(not_found, 0) - before.get(not_found, 0)
    assert counted == 2, (
        f"/metrics counted {counted} of 2 requests GET /tags/999999 as {not_found}: each "
        "request must count once by its method, route template and status "
        "(Counted in observability/requests.py)"
    )
    assert not [key for key in after if "/tags/999999" in str(key)], "a raw path became a label"
    assert after.get(document, 0) - before.get(document, 0) == 1, (
        "GET /openapi.json, a route of FastAPI's own, must count under its path (Counted's "
        "documents in observability/requests.py)"
    )
    assert after.get(waited, 0) - before.get(waited, 0) == 1, (
        "a create's wait for its turn among the writers was not counted (Measured in "
        "observability/waits.py)"
    )


def test_metrics_count_the_connections_in_use(client: TestClient, fresh_engine: Engine) -> None:
    in_use = ("db_pool_connections_in_use", frozenset[tuple[str, str]]())
    before = _samples(client)[in_use]
    with fresh_engine.connect():
        held = _samples(client)[in_use]
    after = _samples(client)[in_use]
    assert (held - before, after - before) == (1, 0), (
        f"connections in use: {before} before a connection was taken, {held} while it was "
        f"held, {after} after: each connection out of a pool must count once, until it is "
        "back (observability/pool.py)"
    )
