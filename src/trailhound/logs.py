"""Logging: configured once, by the front door; every other module only calls ``getLogger``.

``configure_logging(level, fmt)`` sends the ``trailhound`` loggers to standard error, as text
(``2026-11-30T23:40:00Z WARNING trailhound.collect: …``) or as JSON lines (one object per record:
``time``, ``level``, ``logger``, ``message``, the exception's text under ``exc`` and any
``extra=`` fields), so that a daemon's log can be shipped as it is. Nothing logs secrets: the
modules log names, URIs, counts and error messages, never credentials or external IDs; and, as
with the consoles, every control character in a message is escaped, because messages carry
names taken from event data.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import IO, Any, Final

import orjson

LEVELS: Final = ("debug", "info", "warning", "error")
FORMATS: Final = ("text", "json")
ROOT: Final = "trailhound"

# The attributes every LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _inert(text: str) -> str:
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _utc(record: logging.LogRecord) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{stamp}.{int(record.msecs):03d}Z"


class TextFormatter(logging.Formatter):
    """``TIME LEVEL LOGGER: message``, in UTC, controls escaped."""

    def format(self, record: logging.LogRecord) -> str:
        """One line per record (an exception's traceback follows it)."""
        line = f"{_utc(record)} {record.levelname} {record.name}: {_inert(record.getMessage())}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per record, ``extra=`` fields included."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (a test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:
        """Standard error, as it is now."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


def configure_logging(
    level: str = "warning", fmt: str = "text", stream: IO[str] | None = None
) -> logging.Handler:
    """Send trailhound's log records at ``level`` and above to ``stream`` (standard error).

    Called again, it replaces the handler it installed before (a test runner invokes the front
    door many times in one process). Returns the handler.
    """
    if level.lower() not in LEVELS:
        raise ValueError(f"unknown log level {level!r}: use one of {', '.join(LEVELS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown log format {fmt!r}: use one of {', '.join(FORMATS)}")
    logger = logging.getLogger(ROOT)
    for old in [h for h in logger.handlers if getattr(h, "_trailhound", False)]:
        logger.removeHandler(old)
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else StderrHandler()
    )
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler._trailhound = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    return handler
