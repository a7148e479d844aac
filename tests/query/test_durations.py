"""Durations as SQL intervals (reading them is tests/test_durations.py's)."""

from __future__ import annotations

import datetime

import pytest

from trailhound.query.durations import interval, single_unit


@pytest.mark.parametrize(
    ("duration", "sql"),
    [
        (datetime.timedelta(days=7), "INTERVAL '7' DAY"),
        (datetime.timedelta(weeks=1), "INTERVAL '7' DAY"),
        (datetime.timedelta(hours=36), "INTERVAL '36' HOUR"),
        (datetime.timedelta(minutes=90), "INTERVAL '90' MINUTE"),
        (datetime.timedelta(seconds=61), "INTERVAL '61' SECOND"),
    ],
)
def test_interval_uses_the_largest_exact_unit(duration: datetime.timedelta, sql: str) -> None:
    assert interval(duration).sql("trino") == sql


def test_single_unit() -> None:
    assert single_unit(datetime.timedelta(hours=1)) == "HOUR"
    assert single_unit(datetime.timedelta(weeks=1)) == "WEEK"
    assert single_unit(datetime.timedelta(hours=2)) is None
