"""``--explain``: the SQL for a dialect and the date partitions a query's time range keeps."""

from __future__ import annotations

import datetime

from trailhound.query import compile_query
from trailhound.query.explain import explain

TODAY = datetime.datetime.now(datetime.UTC).date()


def day(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


PARTITIONS = [(day(n), account) for n in (0, 1, 2, 3, 5, 30) for account in ("111", "222")]


def test_a_time_range_keeps_the_recent_partitions() -> None:
    explanation = explain(compile_query("limit 1", since=datetime.timedelta(days=2)), "duckdb",
                          PARTITIONS)  # fmt: skip
    (plan,) = explanation.reads
    # The window is widened by a day so that no time zone can lose an event.
    assert plan.partitions == tuple(sorted(p for p in PARTITIONS if p[0] >= day(3)))
    assert plan.total == len(PARTITIONS) and plan.partitioned
    text = explanation.render()
    assert text.startswith("-- duckdb\nSELECT")
    assert "cloudtrail (last 2d): 8 of 12 partitions" in text
    assert f"date={day(3)}/account=222" in text and f"date={day(5)}" not in text


def test_every_read_is_explained_in_the_chosen_dialect() -> None:
    compiled = compile_query(
        "config timeframe = 36h | union (config timeframe = 5d | limit 1) "
        "| union (dataset = alerts | fields id)"
    )
    explanation = explain(compiled, "spark", PARTITIONS)
    first, second, alerts = explanation.reads
    # The first date kept is that of 36 hours and a day ago: three dates or four, by time of day.
    now = datetime.datetime.now(datetime.UTC)
    oldest = (now - datetime.timedelta(hours=36, days=1)).date().isoformat()
    kept = sorted(p[0] for p in PARTITIONS if p[0] >= oldest)
    assert [p[0] for p in first.partitions] == kept and len(kept) in (6, 8)
    assert len(second.partitions) == 10 and second.read.window == datetime.timedelta(days=5)
    assert not alerts.partitioned and alerts.partitions == ()
    text = explanation.render()
    assert text.startswith("-- spark\n") and "`date`" in text
    assert f"cloudtrail (last 36h): {len(kept)} of 12" in text
    assert "cloudtrail (last 5d): 10 of 12" in text
    assert "alerts (last 36h): not partitioned, read whole" in text


def test_no_time_range_reads_every_partition() -> None:
    (plan,) = explain(compile_query("limit 1"), "trino", PARTITIONS).reads
    assert plan.partitions == tuple(sorted(PARTITIONS)) and plan.read.window is None
    assert "(no time range): 12 of 12" in explain(compile_query(""), "duckdb", PARTITIONS).render()
    (empty,) = explain(compile_query("limit 1", since=datetime.timedelta(hours=1)), "duckdb",
                       []).reads  # fmt: skip
    assert empty.partitions == () and empty.total == 0
