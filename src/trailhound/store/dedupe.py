"""Deduplication on ``eventID``, and the conflicts it uncovers.

CloudTrail gives every event a unique ``eventID``, and delivers an event more than once now and
then; the same log read twice, or an event also exported by ``lookup-events``, repeats it too.
A record whose ``eventID`` is already in the batch or in the lake is a *duplicate* when its
content is the same, and is dropped and counted. When the content differs it is a *conflict*:
one of the two may be forged (a record planted under a real event's ID would otherwise hide the
real one, or be hidden by it). The record seen first stays; the later one is quarantined with a
reason that says so, and an alert is raised (rule ``ingest-eventid-conflict``: the ingest loop
hands the alert store the matches ``conflict_matches`` finds).

Comparing stays cheap: only records whose ID collides are compared, first by text in SQL (the
usual duplicate is byte for byte the same), then, for the pairs whose text differs, as parsed
JSON in Python, so key order and spacing do not count as a difference. Copies of an event in a
different shape (a CloudTrail Lake export flattens nested values into strings) do differ.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
import orjson

from trailhound.errors import StoreError
from trailhound.model import Match, RuleInfo
from trailhound.normalize.batch_checks import BATCH_TABLE, mark_quarantined, pages
from trailhound.store.id_index import raw_hash_sql
from trailhound.store.lake import EventLake

CONFLICT_RULE = "ingest-eventid-conflict"
CONFLICT_TITLE = "Event ID seen again with different content (possible forged record)"
CONFLICT_INFOS = {CONFLICT_RULE: RuleInfo(CONFLICT_TITLE, "high", source="ingest")}
CONFLICT_REASON = "eventID conflict"
# Alerts raised per batch; every conflict is quarantined regardless.
MAX_CONFLICT_ALERTS = 1_000
# Colliding IDs looked up in the lake as a list of values (pushed into the Parquet scan);
# beyond it, as a join.
_ID_LIST_MAX = 1_000
_MISSING = object()


def drop_duplicates(con: duckdb.DuckDBPyConnection, lake: EventLake) -> int:
    """Delete the batch's duplicates, quarantine its conflicts; returns how many conflicts.

    Works on ``batch_events`` through the view ``new_events`` (its unquarantined rows). The
    lake is asked first, so a stored record is what a batch's copies are compared with.
    """
    conflicts = _drop_stored(con, lake)
    repeated = con.execute(
        "SELECT count(*) FROM (SELECT event_id FROM new_events GROUP BY event_id "
        "HAVING count(*) > 1)"
    ).fetchone()
    if repeated and repeated[0]:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE collisions AS SELECT source_object, source_index, "
            "event_id, raw, first_value(raw) OVER w AS other_raw FROM new_events "
            "WINDOW w AS (PARTITION BY event_id ORDER BY source_object, source_index) "
            "QUALIFY row_number() OVER w > 1"
        )
        conflicts += _resolve(con, "appears earlier in this batch")
    return conflicts


def _drop_stored(con: duckdb.DuckDBPyConnection, lake: EventLake) -> int:
    """Settle the batch's records whose eventID the lake holds: the stored record is the rule."""
    # Only the partitions the batch writes to can hold its events: an eventID is unique to
    # the account that receives it, and the date comes from its eventTime.
    partitions = [
        (str(day), str(account))
        for day, account in con.execute("SELECT DISTINCT date, account FROM new_events").fetchall()
    ]
    if not lake.files(partitions):
        return 0
    index = lake.id_relation(con, partitions)
    if index is not None:
        try:
            return _drop_indexed(con, lake, partitions, index)
        except duckdb.Error:
            # An index file that cannot be read (damaged, cut short by a full disk, of another
            # shape): the index of these partitions is built again from the event files, once.
            con.execute("DROP TABLE IF EXISTS stored_ids")
            try:
                index = lake.id_relation(con, partitions, rebuild=True)
                assert index is not None
                return _drop_indexed(con, lake, partitions, index)
            except duckdb.Error as error:
                # The store's fault, not the batch's: retried whole later, never quarantined.
                raise StoreError(f"the dedupe index cannot be read or built: {error}") from error
    # Before any query of ours: a lake on S3 registers its files on ``con``, which DuckDB
    # refuses while a result is unfinished.
    scan = lake.relation(con, partitions)
    bounds = con.execute("SELECT min(event_time), max(event_time) FROM new_events").fetchone()
    low, high = bounds if bounds else (None, None)
    ids = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT event_id FROM {scan} WHERE event_time BETWEEN ? AND ? "
            "AND event_id IN (SELECT event_id FROM new_events)",
            [low, high],
        ).fetchall()
    ]
    if not ids:
        return 0
    if len(ids) <= _ID_LIST_MAX:
        wanted, params = f"IN ({', '.join('?' for _ in ids)})", [low, high, *ids]
    else:
        wanted, params = "IN (SELECT event_id FROM new_events)", [low, high]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE collisions AS SELECT n.source_object, n.source_index, "
        "n.event_id, n.raw, s.other_raw FROM new_events AS n JOIN (SELECT event_id, "
        f"any_value(raw) AS other_raw FROM {scan} WHERE event_time BETWEEN ? AND ? "
        f"AND event_id {wanted} GROUP BY event_id) AS s USING (event_id)",
        params,
    )
    return _resolve(con, "is already stored")


def _drop_indexed(
    con: duckdb.DuckDBPyConnection,
    lake: EventLake,
    partitions: list[tuple[str, str]],
    index: str,
) -> int:
    """:func:`_drop_stored` through the dedupe index (``store.id_index``): a repeat whose text
    is the stored record's is dropped without reading an event file; only records whose text
    differs have the stored text read, to tell a conflict from a reordered copy."""
    # A repeat is the same event, so at the same time: only the index rows of the batch's
    # time span are read (the index is sorted by time in small row groups).
    bounds = con.execute("SELECT min(event_time), max(event_time) FROM new_events").fetchone()
    low, high = bounds if bounds else (None, None)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stored_ids AS SELECT event_id, any_value(raw_hash) "
        f"AS raw_hash FROM {index} WHERE event_time BETWEEN ? AND ? "
        "AND event_id IN (SELECT event_id FROM new_events) GROUP BY event_id",
        [low, high],
    )
    try:
        con.execute(
            f"DELETE FROM {BATCH_TABLE} WHERE quarantine_reason IS NULL AND "
            "(source_object, source_index) IN (SELECT (n.source_object, n.source_index) "
            f"FROM new_events AS n JOIN stored_ids AS s USING (event_id) "
            f"WHERE {raw_hash_sql('n.raw')} = s.raw_hash)"
        )
        ids = [
            row[0]
            for row in con.execute(
                "SELECT DISTINCT event_id FROM new_events SEMI JOIN stored_ids USING (event_id)"
            ).fetchall()
        ]
    finally:
        con.execute("DROP TABLE IF EXISTS stored_ids")
    if not ids:
        return 0
    # Few (a conflict is rare): the stored text of just these IDs.
    scan = lake.relation(con, partitions)
    wanted = ", ".join("?" for _ in ids)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE collisions AS SELECT n.source_object, n.source_index, "
        "n.event_id, n.raw, s.other_raw FROM new_events AS n JOIN (SELECT event_id, "
        f"any_value(raw) AS other_raw FROM {scan} WHERE event_id IN ({wanted}) "
        "GROUP BY event_id) AS s USING (event_id)",
        ids,
    )
    return _resolve(con, "is already stored")


def _resolve(con: duckdb.DuckDBPyConnection, where: str) -> int:
    """Quarantine the conflicts in ``collisions``, delete the rest of it from the batch."""
    conflicts = 0
    try:
        for page in pages(
            con,
            "SELECT source_object, source_index, event_id, raw, other_raw FROM collisions "
            "WHERE raw IS DISTINCT FROM other_raw",
        ):
            verdicts = [
                (reason, source, index)
                for source, index, event_id, raw, other in page
                if (reason := conflict_reason(event_id, raw, other, where)) is not None
            ]
            if verdicts:
                mark_quarantined(con, verdicts)
                conflicts += len(verdicts)
        con.execute(
            f"DELETE FROM {BATCH_TABLE} WHERE quarantine_reason IS NULL AND "
            "(source_object, source_index) IN (SELECT (source_object, source_index) "
            "FROM collisions)"
        )
    finally:
        con.execute("DROP TABLE IF EXISTS collisions")
    return conflicts


def conflict_reason(event_id: str, raw: str, other: str | None, where: str) -> str | None:
    """Why a record conflicts with the other one holding its ID, or None if it is the same.

    >>> conflict_reason("e1", '{"a": 1, "b": 2}', '{"b":2,"a":1}', "is already stored")
    >>> conflict_reason("e1", '{"a": 1}', '{"a": 2}', "is already stored")
    'eventID conflict: e1 is already stored with different content (a differs); possible forgery'
    """
    try:
        mine, theirs = orjson.loads(raw), orjson.loads(other or "null")
    except orjson.JSONDecodeError:
        detail = "the text differs"
    else:
        if mine == theirs:
            return None
        detail = _differing_fields(mine, theirs)
    return (
        f"{CONFLICT_REASON}: {event_id[:64]} {where} with different content ({detail}); "
        "possible forgery"
    )


def _differing_fields(mine: Any, theirs: Any) -> str:
    if not (isinstance(mine, dict) and isinstance(theirs, dict)):
        return "the text differs"
    fields = sorted(
        key
        for key in mine.keys() | theirs.keys()
        if mine.get(key, _MISSING) != theirs.get(key, _MISSING)
    )
    shown = ", ".join(field[:40] for field in fields[:5])
    more = f" and {len(fields) - 5} more" if len(fields) > 5 else ""
    return f"{shown}{more} {'differs' if len(fields) == 1 else 'differ'}"


def conflict_matches(con: duckdb.DuckDBPyConnection) -> list[Match]:
    """A match of ``CONFLICT_RULE`` per conflict quarantined in ``batch_events`` (at most
    ``MAX_CONFLICT_ALERTS``), raised as alerts like any detector's (``CONFLICT_INFOS``).

    The resource is the eventID: one alert per actor and eventID, so reading the same
    conflicting record again adds nothing.
    """
    rows = con.execute(
        "SELECT event_id, event_time, actor, account, aws_region, source_ip_address "
        f"FROM {BATCH_TABLE} WHERE starts_with(quarantine_reason, ?) "
        "ORDER BY source_object, source_index LIMIT ?",
        [CONFLICT_REASON + ":", MAX_CONFLICT_ALERTS],
    ).fetchall()
    return [
        Match(CONFLICT_RULE, event_id, when, actor, account, region, ip, event_id)
        for event_id, when, actor, account, region, ip in rows
        if isinstance(when, datetime)
    ]
