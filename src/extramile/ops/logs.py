"""The logging configuration (Django's ``LOGGING``): plain lines or, with
``EXTRAMILE_LOG_FORMAT=json``, one JSON object per line (python-json-logger). Every line carries
the request id (``-`` outside a request). Imported by settings: nothing here touches models."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured

PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(process)d %(message)s"


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time, level, logger, request_id, process, message (and
    exc_info with a traceback)."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}
    )


class NoTracebackBelow500(logging.Filter):
    """A refused request (403, 404) is logged as one line: the traceback Django attaches to a
    ``PermissionDenied`` says nothing about a fault. A 500 keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def config(log_format: str, level: str) -> dict[str, Any]:
    log_format = (log_format or "plain").strip().lower()
    if log_format not in {"plain", "json"}:
        raise ImproperlyConfigured(
            f"EXTRAMILE_LOG_FORMAT={log_format!r} is not a log format: use plain or json."
        )
    formatters: dict[str, Any] = {
        "plain": {"format": PLAIN},
        "json": {"()": "extramile.ops.logs.json_formatter"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "extramile.ops.requestid.RequestIdFilter"},
            "no_traceback_below_500": {"()": "extramile.ops.logs.NoTracebackBelow500"},
        },
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "no_traceback_below_500"],
            }
        },
        "root": {"handlers": ["console"], "level": level or "WARNING"},
        "loggers": {
            "extramile": {"level": level or "INFO", "propagate": True},
        },
    }
