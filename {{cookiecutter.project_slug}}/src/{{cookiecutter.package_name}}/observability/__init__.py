"""Traces and metrics of a running service (the `observability` option).

- traces.py: FastAPI's own request spans, and the tracer provider the OTEL_* environment
  variables describe;
- requests.py: a count and a duration for each request;
- metrics.py: what Prometheus reads at /metrics, from every worker process;
- workers.py: the folder the workers share their metrics through.

The spans of each unit of work and statement are in db/traces.py. Nothing here is imported
by the package itself: `serve` sets up the shared folder before prometheus_client is first
imported, which decides then where the values live.
"""
