"""``trailhound query --explain``: the SQL a query compiles to and the partitions it reads.

The lake is partitioned by ``date`` and ``account``; a time range (``config timeframe`` or
``--since``) adds a condition on ``date`` that lets the engine skip older partitions. The
explanation evaluates that very condition, in DuckDB, over the partitions the lake holds now, so
it lists exactly the ones the query will read.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from trailhound.query.compiler import CompiledQuery, DatasetRead
from trailhound.query.datasets import DATASETS


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """What one read of a dataset costs: the partitions it reads out of those there are."""

    read: DatasetRead
    partitioned: bool
    partitions: tuple[tuple[str, str], ...]  # (date, account) read
    total: int  # partitions there are


@dataclass(frozen=True, slots=True)
class Explanation:
    """The SQL for one dialect and the plan of every dataset read."""

    dialect: str
    sql: str
    reads: tuple[ReadPlan, ...]

    def render(self) -> str:
        """The explanation as text: the SQL, then the partitions of each read."""
        lines = [f"-- {self.dialect}", self.sql + ";", ""]
        for plan in self.reads:
            window = f"last {_duration(plan.read.window)}" if plan.read.window else "no time range"
            if not plan.partitioned:
                lines.append(f"{plan.read.dataset} ({window}): not partitioned, read whole")
                continue
            lines.append(
                f"{plan.read.dataset} ({window}): {len(plan.partitions)} of {plan.total} partitions"
            )
            lines += [f"  date={day}/account={account}" for day, account in plan.partitions]
        return "\n".join(lines)


def explain(
    compiled: CompiledQuery, dialect: str, partitions: Sequence[tuple[str, str]]
) -> Explanation:
    """Explain ``compiled`` for ``dialect`` over the lake's ``(date, account)`` partitions."""
    plans: list[ReadPlan] = []
    every = tuple(sorted(partitions))
    for read in compiled.reads:
        dataset = DATASETS.get(read.dataset)
        partitioned = dataset is not None and dataset.partition_date_column is not None
        kept = every if read.partition_filter is None else _kept(read, every)
        plans.append(ReadPlan(read, partitioned, kept if partitioned else (), len(every)))
    return Explanation(dialect, compiled.sql(dialect, pretty=True), tuple(plans))


def _kept(
    read: DatasetRead, partitions: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """The partitions whose date passes the read's partition condition, as DuckDB decides it."""
    assert read.partition_filter is not None
    if not partitions:
        return ()
    condition = read.partition_filter.sql(dialect="duckdb")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(
            "SELECT CAST(date AS VARCHAR), account FROM (SELECT CAST(unnest(?) AS DATE) AS date, "
            f"unnest(?) AS account) WHERE {condition} ORDER BY ALL",
            [[p[0] for p in partitions], [p[1] for p in partitions]],
        ).fetchall()
    finally:
        con.close()
    return tuple((str(day), str(account)) for day, account in rows)


def _duration(window: datetime.timedelta) -> str:
    """A window as the analyst wrote it: 7d, 36h, 90m, 45s."""
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
