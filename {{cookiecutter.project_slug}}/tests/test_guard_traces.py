"""The traces of a running service (observability/): each request is a server span over the
unit of work its service runs, with a span for each statement; the lines it logs carry its
trace id. The spans are kept in memory, as an exporter would be handed them, and recorded
only while these tests run: the rest of the suite runs as a service without a collector
does, whatever order the tests run in.
"""

import json
import logging
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import SpanKind

from {{ cookiecutter.package_name }}.logs import JsonFormatter, RequestIdFilter
from {{ cookiecutter.package_name }}.settings import PACKAGE

Spans = Callable[[], tuple[ReadableSpan, ...]]

# A client's trace: the request's span must continue it.
TRACE_ID, PARENT_ID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


class WhileOn(Sampler):
    """Records the spans begun while `on`."""

    on = False

    def should_sample(self, *_: object, **__: object) -> SamplingResult:
        return SamplingResult(Decision.RECORD_AND_SAMPLE if self.on else Decision.DROP)

    def get_description(self) -> str:
        return "WhileOn"


@pytest.fixture(scope="module")
def exported() -> Iterator[InMemorySpanExporter]:
    sampler = WhileOn()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):  # none set: OTEL_TRACES_EXPORTER is unset
        provider = TracerProvider(sampler=sampler)
        trace.set_tracer_provider(provider)  # once a process: it stays, and records nothing
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    sampler.on = True
    yield exporter
    sampler.on = False
    exporter.shutdown()  # the provider takes no processor back: this one drops what it gets


@pytest.fixture
def spans(exported: InMemorySpanExporter) -> Spans:
    """The spans ended from now on."""
    exported.clear()
    return exported.get_finished_spans


def _children(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    return [span for span in spans if span.parent and span.parent.span_id == parent.context.span_id]


def _ancestors(spans: tuple[ReadableSpan, ...], span: ReadableSpan) -> list[str]:
    """The names of the span's parent, its parent's, and so on."""
    by_id = {each.context.span_id: each for each in spans}
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


def test_a_request_is_a_span_over_its_unit_of_work_and_its_statements(
    client: TestClient, spans: Spans
) -> None:
    traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
    response = client.post("/tags", json={"name": "traced"}, headers={"traceparent": traceparent})
    assert response.status_code == 201, response.text
    ended = spans()
    servers = [span for span in ended if span.kind is SpanKind.SERVER]
    assert [span.name for span in servers] == ["POST /tags"], (
        f"spans of POST /tags: {[span.name for span in ended]}: a request must be one server "
        "span named for its route (FastAPI's telemetry, TELEMETRY in observability/traces.py)"
    )
    (server,) = servers
    assert server.attributes is not None
    assert (server.attributes["http.route"], server.attributes["http.response.status_code"]) == (
        "/tags",
        201,
    )
    assert server.parent is not None
    assert server.parent.span_id == int(PARENT_ID, 16), (
        "the request's span does not continue the trace its traceparent header names "
        "(FastAPI's telemetry, TELEMETRY in observability/traces.py)"
    )
    units = [span for span in ended if span.name.startswith("write ")]
    assert [(span.name, _ancestors(ended, span)[-1:]) for span in units] == [
        ("write tags.create_tag", ["POST /tags"])
    ], (
        f"spans {[(span.name, _ancestors(ended, span)) for span in ended]}: the service's unit "
        "of work must be a span of its own inside the request's (`traced` in db/traces.py)"
    )
    statements = [span for span in ended if span.kind is SpanKind.CLIENT]
    under_the_unit = _children(ended, units[0])
    assert statements, f"no statement made a span: {[span.name for span in ended]}"
    assert statements == under_the_unit, (
        f"statement spans {[span.name for span in statements]}, of which "
        f"{[span.name for span in under_the_unit]} under the unit of work: each statement "
        "must be a span under the unit of work that ran it (db/traces.py)"
    )
    assert "INSERT" in {span.name for span in statements}
    assert {span.context.trace_id for span in ended} == {int(TRACE_ID, 16)}


def test_the_probes_and_metrics_make_no_spans(client: TestClient, spans: Spans) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path
    assert not spans(), (
        f"the probes made spans {[span.name for span in spans()]}: a probe every few seconds "
        "would fill the traces (UNTRACED in observability/traces.py; a statement makes a "
        "span only inside one, db/traces.py)"
    )


class Lines(logging.Handler):
    """The JSON lines of what is logged, as the service's handler writes them."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_a_requests_log_lines_carry_its_trace_id(client: TestClient, spans: Spans) -> None:
    access, lines = logging.getLogger(f"{PACKAGE}.access"), Lines()
    level = access.level
    access.addHandler(lines)
    access.setLevel(logging.INFO)
    try:
        assert client.get("/tags").status_code == 200
    finally:
        access.removeHandler(lines)
        access.setLevel(level)
    (server,) = [span for span in spans() if span.kind is SpanKind.SERVER]
    ids = [(line.get("trace_id"), line.get("span_id")) for line in lines.lines]
    context = server.context
    expected = (trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id))
    assert ids == [expected], (
        f"the access line of GET /tags has trace and span ids {ids}, not its span's "
        f"{expected}: every line logged while a request runs must carry them (RequestIdFilter "
        "in logs.py)"
    )


def test_a_failed_statement_is_a_failed_span(client: TestClient, spans: Spans) -> None:
    assert client.post("/tags", json={"name": "twice"}).status_code == 201
    assert client.post("/tags", json={"name": "twice"}).status_code == 409
    inserts = [span for span in spans() if span.name == "INSERT"]
    statuses = [span.status.status_code.name for span in inserts]
    assert statuses == ["UNSET", "ERROR"], (
        f"the INSERT spans of a create and of the same create refused (409) ended {statuses}: "
        "a statement that fails must end its span, marked failed (`_failed` in db/traces.py)"
    )
