"""One logging setup for the service and uvicorn: readable text on a terminal, JSON lines
with LOG_FORMAT=json; every line logged while a request runs carries its request id{% if cookiecutter.observability == "opentelemetry" %}, and in
JSON, while its trace is recorded (observability/traces.py), its trace and span ids{% endif %}.

`serve` hands `config()` to uvicorn, which applies it in each worker process.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
{%- if cookiecutter.observability == "opentelemetry" %}

from opentelemetry import trace
{%- endif %}

from .settings import Settings

# Set by the request middleware for the task that serves one request.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)

TEXT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# What every record has; anything else on a record was passed as `extra` and becomes a
# field of its JSON line (uvicorn's color_message repeats the message with escape codes).
_NOT_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class RequestIdFilter(logging.Filter):
    """Stamps a record with the id of the request it was logged in{% if cookiecutter.observability == "opentelemetry" %}, and the ids of its trace and
    span{% endif %}."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            record.request_id = request_id
{%- if cookiecutter.observability == "opentelemetry" %}
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            record.trace_id = trace.format_trace_id(span.trace_id)
            record.span_id = trace.format_span_id(span.span_id)
{%- endif %}
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the record's
    extra fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        # The extra fields first, so none can replace the four every line has.
        line: dict[str, Any] = {k: v for k, v in vars(record).items() if k not in _NOT_FIELDS}
        line |= {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary for the service's and uvicorn's loggers."""
    level = settings.log_level.upper()
    # Through "()": dictConfig reads a formatter's "defaults" only from Python 3.12 on.
    text = {"()": "logging.Formatter", "fmt": TEXT, "defaults": {"request_id": "-"}}
    chosen = {"()": JsonFormatter} if settings.log_format == "json" else text
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"chosen": chosen},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "chosen",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's loggers hand their records to the root's handler, as the service's do.
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": level}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
