"""THE duration parser: every command and setting reads durations the same way."""

from __future__ import annotations

import datetime
import doctest

import pytest

from trailhound import durations
from trailhound.durations import DurationError, parse_duration, parse_window
from trailhound.errors import TrailhoundError


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
        (90, datetime.timedelta(seconds=90)),
    ],
)
def test_parse_duration(text: str | int, expected: datetime.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "7", "d", "7x", "-1d", "1.5h", "0s", "0d0h", "999999w", "all", 0, -5, True]
)
def test_bad_durations(text: str | int) -> None:
    with pytest.raises(DurationError) as raised:
        parse_duration(text)
    assert isinstance(raised.value, TrailhoundError)
    assert raised.value.message in str(raised.value)


@pytest.mark.parametrize("text", [None, "", "all", "ALL", " off ", "none"])
def test_windows_without_a_limit(text: str | None) -> None:
    assert parse_window(text) is None


def test_windows_with_a_limit_use_the_same_parser() -> None:
    assert parse_window("1h30m") == datetime.timedelta(minutes=90)
    with pytest.raises(DurationError):
        parse_window("soon")


def test_doctests() -> None:
    result = doctest.testmod(durations)
    assert result.attempted > 0 and result.failed == 0
