"""The checks that finish a normalized batch in Python: key-case repair and exact size limits.

The normalizer (``normalize.records``) runs in DuckDB and flags the few records it cannot settle
alone: those quarantined for a missing ``eventTime``/``eventName`` whose keys may only be in the
wrong letter case, and those whose text may pass a structure limit. The passes here take just
those rows out of the batch table, page by page, so a batch of hostile records costs bounded
memory however many of them there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from trailhound.model import RawRecord, RecordLimits
from trailhound.normalize.key_case import repair_key_case
from trailhound.normalize.limits import structure_violation

PAGE_ROWS = 10_000
BATCH_TABLE = "batch_events"
# A record quarantined for one of these may only spell the key in another letter case.
_REPAIRABLE = {"missing eventTime": '%"eventtime"%', "missing eventName": '%"eventname"%'}

LoadRecords = Callable[[Sequence[RawRecord], "str | None", Sequence[str]], None]
"""Normalizes records into the batch table: the records, their account hint, the JSON to read."""


def pages(
    con: duckdb.DuckDBPyConnection, select: str, params: Sequence[Any] = (), size: int = PAGE_ROWS
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``select`` in pages, from a snapshot: the caller may change the batch table."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE batch_snapshot AS {select}", list(params))
    try:
        total = int(con.execute("SELECT count(*) FROM batch_snapshot").fetchone()[0])  # type: ignore[index]
        for start in range(0, total, size):
            yield con.execute(
                "SELECT * EXCLUDE (page_row) FROM (SELECT rowid AS page_row, * FROM "
                "batch_snapshot) WHERE page_row >= ? AND page_row < ?",
                [start, start + size],
            ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS batch_snapshot")


def repair_key_cases(con: duckdb.DuckDBPyConnection, load: LoadRecords) -> None:
    """Re-normalize records whose only fault is the letter case of their keys."""
    conditions = " OR ".join("(quarantine_reason = ? AND raw ILIKE ?)" for _ in _REPAIRABLE)
    params = [value for pair in _REPAIRABLE.items() for value in pair]
    select = (
        f"SELECT source_object, source_index, account, raw FROM {BATCH_TABLE} "
        f"WHERE {conditions} OR (needs_key_repair AND quarantine_reason IS NULL)"
    )
    for page in pages(con, select, params):
        # Grouped by the row's account, which stands in for the source's account hint.
        repaired: dict[str | None, tuple[list[RawRecord], list[str]]] = {}
        for source, index, account, raw in page:
            try:
                fixed = repair_key_case(orjson.loads(raw))
            except orjson.JSONDecodeError:
                continue
            if fixed is not None:
                hint = None if account == "unknown" else account
                records, docs = repaired.setdefault(hint, ([], []))
                records.append(RawRecord(source, index, raw.encode()))
                docs.append(orjson.dumps(fixed).decode())
        for hint, (records, docs) in repaired.items():
            keys = pa.table(
                {
                    "source_object": [r.source for r in records],
                    "source_index": pa.array([r.index for r in records], pa.int64()),
                }
            )
            with registered(con, "page_keys", keys):
                con.execute(
                    f"DELETE FROM {BATCH_TABLE} WHERE (source_object, source_index) IN "
                    "(SELECT (source_object, source_index) FROM page_keys)"
                )
            load(records, hint, docs)


def check_structure(con: duckdb.DuckDBPyConnection, limits: RecordLimits) -> int:
    """Quarantine the flagged records that pass a nesting or key limit; returns how many."""
    select = (
        f"SELECT source_object, source_index, raw FROM {BATCH_TABLE} "
        "WHERE needs_structure_check AND quarantine_reason IS NULL"
    )
    found = 0
    for page in pages(con, select):
        verdicts = [
            (reason, source, index)
            for source, index, raw in page
            if (reason := structure_violation(raw, limits)) is not None
        ]
        if verdicts:
            mark_quarantined(con, verdicts)
            found += len(verdicts)
    return found


def mark_quarantined(
    con: duckdb.DuckDBPyConnection, verdicts: Sequence[tuple[str, str, int]]
) -> None:
    """Set the quarantine reason of batch rows given as ``(reason, source_object, index)``."""
    table = pa.table(
        {
            "reason": [v[0] for v in verdicts],
            "source_object": [v[1] for v in verdicts],
            "source_index": pa.array([v[2] for v in verdicts], pa.int64()),
        }
    )
    with registered(con, "page_verdicts", table):
        con.execute(
            f"UPDATE {BATCH_TABLE} SET quarantine_reason = v.reason FROM page_verdicts AS v "
            f"WHERE {BATCH_TABLE}.source_object = v.source_object "
            f"AND {BATCH_TABLE}.source_index = v.source_index"
        )


@contextmanager
def registered(
    con: duckdb.DuckDBPyConnection, name: str, table: pa.Table
) -> Iterator[duckdb.DuckDBPyConnection]:
    """``table`` visible to SQL on ``con`` as ``name`` for the duration of the block."""
    con.register(name, table)
    try:
        yield con
    finally:
        con.unregister(name)
