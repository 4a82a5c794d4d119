"""Traces and metrics of a running service (the `observability` option).

- traces.py: FastAPI's own request spans, and the tracer provider the OTEL_* environment
  variables describe;
- requests.py: a count and a duration for each request;
- pool.py, waits.py: the connections in use, the waits for a turn at the database;
- metrics.py: what Prometheus reads at /metrics, from every worker process;
- workers.py: the folder the workers share their metrics through;
- observe.py: all of it on an app.

The spans of each unit of work and statement are in db/traces.py. This module imports none of
the others: `serve` imports workers.py to set up the shared folder before prometheus_client
is first imported, which decides then where the values live.
"""
