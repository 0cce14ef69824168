"""Logging for every Parvis process: one JSON object per line, or plain text for people.

`PARVIS_LOG_FORMAT=json` (the default in production) writes each record as one line of
JSON: time, level, logger, message, the fields passed with `extra=`, the request's id while
one is being served, and any traceback as one `exception` string. `text` (the default in
development) writes readable lines with the same fields as `key=value`.

Entry points call `configure_logging(settings)`; `parvis serve` hands `logging_config()`
to uvicorn, which applies it in each of its worker processes.
"""

from __future__ import annotations

import json
import logging
import logging.config
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from community.config import Settings

# The id of the request being served, on every line logged while serving it.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")

# The attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Loggers that repeat what Parvis already says, one line per request or job.
_QUIET = {"uvicorn.access": "WARNING", "arq.worker": "WARNING", "arq.jobs": "WARNING"}


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The record's own fields (from `extra=`) and the request id, if any."""
    fields = {k: v for k, v in vars(record).items() if k not in _STANDARD and k[0] != "_"}
    if (request_id := REQUEST_ID.get()) and "request_id" not in fields:
        fields["request_id"] = request_id
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def formatMessage(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{key}={value}" for key, value in fields_of(record).items())
        return f"{super().formatMessage(record)} {pairs}".rstrip()


def logging_config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping: one handler on stderr, for every logger."""
    formatter = JsonFormatter if settings.log_format == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"parvis": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "parvis",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level},
        "loggers": {
            # uvicorn's own loggers: the same handler, not uvicorn's (no double lines)
            **{name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error")},
            **{name: {"level": level} for name, level in _QUIET.items()},
        },
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(logging_config(settings))
