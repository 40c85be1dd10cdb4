"""Log lines that carry the CallSid of the call they are about; JSON on request."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import Flask, has_request_context, request
from flask.logging import default_handler

# Attributes every LogRecord has; anything else was passed in `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class CallSidFilter(logging.Filter):
    """Stamp each record with the CallSid of the webhook being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "call_sid", None):
            return True
        record.call_sid = None
        if has_request_context():
            record.call_sid = (
                request.args.get("call")
                or request.form.get("ParentCallSid")
                or request.form.get("CallSid")
                or None
            )
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, call_sid and extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(call_sid)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.call_sid = getattr(record, "call_sid", None) or "-"
        return super().format(record)


def configure(app: Flask) -> None:
    """Send the hotline's loggers to stderr, as JSON when LOG_JSON is set."""
    logger = logging.getLogger("hotline")
    if app.testing or any(getattr(h, "hotline_handler", False) for h in logger.handlers):
        return  # configured once per process; tests keep pytest's capture
    handler = logging.StreamHandler()
    handler.hotline_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if app.config["LOG_JSON"] else TextFormatter())
    # On the handler, not the logger: it then sees the records of every child logger.
    handler.addFilter(CallSidFilter())
    logger.removeHandler(default_handler)
    logger.addHandler(handler)
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    logger.propagate = False
