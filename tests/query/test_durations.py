"""Durations (``7d``, ``1h30m``) and their SQL intervals."""

from __future__ import annotations

import datetime

import pytest

from trailhound.errors import QueryError
from trailhound.query import parse_duration
from trailhound.query.durations import interval, single_unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", datetime.timedelta(seconds=30)),
        ("15m", datetime.timedelta(minutes=15)),
        ("24h", datetime.timedelta(hours=24)),
        ("7d", datetime.timedelta(days=7)),
        ("2w", datetime.timedelta(weeks=2)),
        ("1h30m", datetime.timedelta(minutes=90)),
        (" 7D ", datetime.timedelta(days=7)),
    ],
)
def test_parse_duration(text: str, expected: datetime.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "1.5h", "0s", "0d0h", "999999w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(QueryError):
        parse_duration(text)


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
