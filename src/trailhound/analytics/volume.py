"""Unusual hourly volume: an hour far above its subject's own hourly history.

The statistic is robust, so that the few busy hours an identity already had do not hide the
next: the hour is unusual when its count exceeds the median of the subject's active hours over
the training window plus ``K`` times their median absolute deviation (scaled by 1.4826 to
estimate a standard deviation, and never taken below 1), and is at least ``RATIO`` times that
median and ``FLOOR`` events. A subject needs ``MIN_HOURS`` active hours of history spanning its
training period first. Everything is one statement over the batch's hourly counts
(``profiles.volume_sql``, registered as ``batch_volume``) and ``analytics_volume`` in the state
database, before the batch is merged: an hour is reported once, by the batch that takes it over
the threshold.

A scikit-learn isolation forest was not used: one number per subject and hour is what a median
and MAD describe well, they need no model to persist, and they explain themselves ("412 calls;
its median is 9, MAD 3").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

K = 10.0  # robust deviations above the median
RATIO = 5.0  # and this many times the median hour
FLOOR = 100  # and at least this many events
MIN_HOURS = 24  # active hours of history before a subject's volume can be unusual

# An hour's baseline is the subject's hours before its anchor: in a batch, the subject's first
# hour in the batch (one baseline per subject and batch: a live batch spans minutes, and a
# backfill's batch of days costs one join per subject instead of one per hour); in a hunt, the
# hour itself.
_UNUSUAL_HOURS = """
WITH hours AS (
    SELECT b.scope, b.subject, b.hour, b.events AS added, b.event_id, b.first_time,
           CASE WHEN $counted THEN coalesce(v.events, 0) ELSE 0 END AS before,
           CASE WHEN $counted THEN min(b.hour) OVER (PARTITION BY b.scope, b.subject)
                ELSE b.hour END AS anchor
    FROM batch_volume AS b
    LEFT JOIN analytics_volume AS v USING (scope, subject, hour)
    WHERE list_contains($scopes, b.scope)
), anchors AS (
    SELECT DISTINCT scope, subject, anchor FROM hours
), history AS (
    SELECT a.scope, a.subject, a.anchor, v.hour AS seen, v.events
    FROM anchors AS a JOIN analytics_volume AS v
      ON v.scope = a.scope AND v.subject = a.subject
     AND v.hour < a.anchor AND v.hour >= a.anchor - to_seconds($window)
), centre AS (
    SELECT scope, subject, anchor, median(events) AS median, count(*) AS active,
           min(seen) AS since
    FROM history GROUP BY ALL
), spread AS (
    SELECT h.scope, h.subject, h.anchor, median(abs(h.events - c.median)) AS mad
    FROM history AS h JOIN centre AS c USING (scope, subject, anchor) GROUP BY ALL
)
SELECT h.scope, h.subject, h.hour, h.before + h.added AS events, h.event_id, h.first_time,
       c.median, s.mad, c.active, c.since,
       c.median + $k * greatest(1.4826 * s.mad, 1) AS limit_
FROM hours AS h JOIN centre AS c USING (scope, subject, anchor)
JOIN spread AS s USING (scope, subject, anchor)
WHERE c.active >= $min_hours AND c.since <= h.hour - to_seconds($training)
  AND h.before + h.added > greatest(c.median + $k * greatest(1.4826 * s.mad, 1),
                                    $ratio * c.median, $floor)
  AND h.before <= greatest(c.median + $k * greatest(1.4826 * s.mad, 1),
                           $ratio * c.median, $floor)
ORDER BY h.scope, h.subject, h.hour
"""


@dataclass(frozen=True, slots=True)
class UnusualHour:
    """An hour above its subject's baseline, with the figures that say so."""

    scope: str
    subject: str
    hour: datetime
    events: int
    event_id: str  # the batch's first event of the subject in that hour
    first_time: datetime
    median: float
    mad: float
    active: int  # active hours in the baseline
    since: datetime  # its first hour

    def explain(self, noun: str) -> str:
        """Why the hour is unusual, in figures."""
        days = max(1, (self.hour - self.since).days)
        return (
            f"{self.subject}: {self.events} {noun} in the hour from {self.hour:%Y-%m-%d %H:00} "
            f"UTC; its baseline of {days} days ({self.active} active hours) has a median of "
            f"{self.median:g} per hour, median absolute deviation {self.mad:g}"
        )


def unusual_hours(
    state: duckdb.DuckDBPyConnection,
    scopes: list[str],
    training: timedelta,
    window: timedelta,
    *,
    counted: bool = True,
) -> list[UnusualHour]:
    """The batch's hours (``batch_volume`` registered on ``state``) unusual for their subject.

    ``counted``: ``analytics_volume`` does not hold the batch yet, its counts of the same hours
    come first (a batch); else the hours are already in it and are taken whole (a hunt).
    """
    rows = state.execute(
        _UNUSUAL_HOURS,
        {
            "scopes": scopes,
            "window": window.total_seconds(),
            "training": training.total_seconds(),
            "k": K,
            "ratio": RATIO,
            "floor": FLOOR,
            "min_hours": MIN_HOURS,
            "counted": counted,
        },
    ).fetchall()
    return [
        UnusualHour(sc, su, hour, int(n), str(eid), first, float(med), float(mad), int(act), since)
        for sc, su, hour, n, eid, first, med, mad, act, since, _ in rows
    ]
