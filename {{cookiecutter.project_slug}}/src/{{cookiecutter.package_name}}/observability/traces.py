"""Traces: FastAPI's own server span for each request but the probes', and the tracer provider
the standard OTEL_* environment variables describe.

FastAPI (its `telemetry`) makes a span for each request, named for its route, continuing the
trace a client's `traceparent` header names; db/traces.py adds the unit of work and its
statements.

OTEL_TRACES_EXPORTER names where spans go: `otlp` (OTEL_EXPORTER_OTLP_* say where, over
HTTP), `console`, or `none`; unset, `otlp` where an OTLP endpoint is set, else `none`, so a
service without a collector logs no failed exports. With none, no provider is set: FastAPI
then makes no spans, nor do the statements, and log lines carry no trace id.
OTEL_SERVICE_NAME names the service (the package's name by default), OTEL_TRACES_SAMPLER and
its argument sample, OTEL_SDK_DISABLED=true turns it all off.
"""

import os
from collections.abc import Callable, MutableMapping
from typing import Any, Final

from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from ..settings import PACKAGE

EXPORTERS: Final[dict[str, Callable[[], SpanExporter]]] = {
    "otlp": OTLPSpanExporter,
    "console": ConsoleSpanExporter,
}
ENDPOINTS: Final = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# Asked every few seconds: their spans would fill the traces.
UNTRACED: Final = frozenset({"/healthz", "/readyz", "/metrics"})


def _untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in UNTRACED


# FastAPI's telemetry: the exporters are set up below, never a second time by FastAPI; no
# spans of its own for a request's dependencies, endpoint and serialization, which would
# double what each request costs to trace, and tell less than its unit of work's.
TELEMETRY: Final[TelemetryConfig] = {
    "exclude": _untraced,
    "auto_configure": False,
    "operation_spans": False,
}


def export_traces(names: str | None) -> None:
    """Set the process's tracer provider for the exporters named (Settings checked them) and
    the environment, unless one is set (a test's) or none is named: then spans are not
    recorded, at next to no cost."""
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        return
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return
    if names is None:
        names = "otlp" if any(os.environ.get(name) for name in ENDPOINTS) else "none"
    exporters = [EXPORTERS[name]() for name in names.split(",") if name != "none"]
    if not exporters:
        return
    resource = Resource.create()  # OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": PACKAGE}))
    provider = TracerProvider(resource=resource)
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
