"""Durations as analysts write them (``7d``, ``1h30m``) and as SQL intervals."""

from __future__ import annotations

import datetime
import re

from sqlglot import exp

from trailhound.errors import QueryError

UNIT_SECONDS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"([0-9]+)([smhdw])")
_WHOLE = re.compile(r"(?:[0-9]+[smhdw])+")
# SQL interval units every target dialect understands, largest first (Trino has no WEEK).
_SQL_UNITS: tuple[tuple[str, int], ...] = (
    ("DAY", 86400),
    ("HOUR", 3600),
    ("MINUTE", 60),
    ("SECOND", 1),
)
# Past this, timedelta overflows; nobody means a window longer than that.
_MAX_SECONDS = 100 * 365 * 86400


def parse_duration(text: str) -> datetime.timedelta:
    """Parse a duration such as ``30s``, ``15m``, ``24h``, ``7d``, ``2w`` or ``1h30m``.

    >>> parse_duration("7d")
    datetime.timedelta(days=7)
    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    """
    cleaned = text.strip().lower()
    if not _WHOLE.fullmatch(cleaned):
        raise QueryError(
            f"bad duration {text!r}: write a number and a unit (s, m, h, d, w), e.g. 7d or 1h30m",
            query=text,
            position=0,
        )
    seconds = sum(int(n) * UNIT_SECONDS[unit] for n, unit in _PART.findall(cleaned))
    if seconds <= 0:
        raise QueryError(f"duration {text!r} must be longer than zero", query=text, position=0)
    if seconds > _MAX_SECONDS:
        raise QueryError(f"duration {text!r} is longer than 100 years", query=text, position=0)
    return datetime.timedelta(seconds=seconds)


def interval(duration: datetime.timedelta) -> exp.Interval:
    """The SQL interval for ``duration``, in the largest unit that divides it exactly."""
    seconds = int(duration.total_seconds())
    for unit, size in _SQL_UNITS:
        if seconds % size == 0:
            return exp.Interval(this=exp.Literal.string(str(seconds // size)), unit=exp.var(unit))
    raise AssertionError("every whole number of seconds divides by one")  # pragma: no cover


def single_unit(duration: datetime.timedelta) -> str | None:
    """``HOUR`` for exactly one hour and likewise for SECOND … WEEK; None for other durations."""
    seconds = int(duration.total_seconds())
    names = {1: "SECOND", 60: "MINUTE", 3600: "HOUR", 86400: "DAY", 604800: "WEEK"}
    return names.get(seconds)
