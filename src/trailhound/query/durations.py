"""Durations as SQL intervals; reading them from text is :mod:`trailhound.durations`'s job."""

from __future__ import annotations

import datetime

from sqlglot import exp

# SQL interval units every target dialect understands, largest first (Trino has no WEEK).
_SQL_UNITS: tuple[tuple[str, int], ...] = (
    ("DAY", 86400),
    ("HOUR", 3600),
    ("MINUTE", 60),
    ("SECOND", 1),
)


def interval(duration: datetime.timedelta) -> exp.Interval:
    """The SQL interval for ``duration``, in the largest unit that divides it exactly.

    >>> interval(datetime.timedelta(minutes=90)).sql()
    "INTERVAL '90' MINUTE"
    """
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
