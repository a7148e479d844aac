"""The search page's time histogram: the whole result counted in equal time buckets by one
query (a sqlglot tree around the compiled query, no text pasted), drawn as SVG bars.

SVG attributes, not inline styles, size the bars: the console's Content-Security-Policy allows
no inline style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlglot
from sqlglot import exp

BUCKETS = 40
WIDTH, HEIGHT = 800, 90
# Columns a result's time is found in, in order of preference.
TIME_COLUMNS = ("eventTime", "event_time", "first_seen", "last_seen", "time", "_time")
_TEMPLATE = f"""
WITH r AS (SELECT 1 AS t),
e AS (SELECT epoch(CAST(t AS TIMESTAMPTZ)) AS s FROM r WHERE t IS NOT NULL),
b AS (SELECT min(s) AS lo, max(s) AS hi FROM e)
SELECT least(CAST(floor((s - lo) / greatest((hi - lo) / {BUCKETS}, 1)) AS INT), {BUCKETS - 1})
  AS bucket, min(lo) AS lo, min(hi) AS hi, count(*) AS n
FROM e, b GROUP BY bucket ORDER BY bucket
"""


@dataclass(frozen=True, slots=True)
class Bar:
    """One bucket drawn: its place and size in the SVG, its count and time range."""

    x: float
    y: float
    width: float
    height: float
    count: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Histogram:
    """The bars, the time column counted and the range covered."""

    column: str
    bars: list[Bar]
    start: datetime
    end: datetime
    total: int
    width: int = WIDTH
    height: int = HEIGHT


def time_column(columns: Sequence[str]) -> str | None:
    """The result column holding the time, if it has one."""
    return next((c for c in TIME_COLUMNS if c in columns), None)


def histogram_sql(query: exp.Query, column: str) -> str:
    """DuckDB SQL counting ``query``'s rows per time bucket of ``column``."""
    tree = sqlglot.parse_one(_TEMPLATE, dialect="duckdb")
    for cte in tree.find_all(exp.CTE):
        if cte.alias == "r":
            cte.set("this", query.copy())
            break
    for found in list(tree.find_all(exp.Column)):
        if found.name == "t" and not found.table:
            found.replace(exp.column(column, quoted=True))
    return tree.sql(dialect="duckdb")


def _time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def draw(column: str, rows: Sequence[tuple[Any, ...]]) -> Histogram | None:
    """The bars of the histogram query's rows (``bucket, lo, hi, n``); None when empty."""
    if not rows:
        return None
    lo, hi = float(rows[0][1]), float(rows[0][2])
    step = max((hi - lo) / BUCKETS, 1.0)
    counts = {int(bucket): int(n) for bucket, _, _, n in rows}
    tallest = max(counts.values())
    width = WIDTH / BUCKETS
    bars = []
    for bucket in range(BUCKETS):
        count = counts.get(bucket, 0)
        height = 0.0 if count == 0 else max(1.0, (HEIGHT - 4) * count / tallest)
        start = lo + bucket * step
        bars.append(
            Bar(
                round(bucket * width, 2),
                round(HEIGHT - height, 2),
                round(width - 1, 2),
                round(height, 2),
                count,
                _time(start),
                _time(start + step),
            )
        )
    return Histogram(column, bars, _time(lo), _time(hi), sum(counts.values()))
