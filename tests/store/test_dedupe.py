"""eventID deduplication: repeats are dropped, a different record under a known ID is a conflict."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.model import InputFormat
from trailhound.store.dedupe import CONFLICT_RULE
from trailhound.store.engine import QueryEngine


def _rows(data_dir: DataDir, sql: str) -> list[tuple[object, ...]]:
    with QueryEngine(data_dir) as engine:
        return [tuple(row) for row in engine.execute(sql)[1]]


def test_a_stored_id_with_other_content_is_a_conflict(tmp_path: Path, data_dir: DataDir) -> None:
    original = make_record(1, eventName="DeleteTrail", sourceIPAddress="203.0.113.9")
    write_log(tmp_path / "first", [original, make_record(2)], name="a")
    forged = dict(original, eventName="ListUsers", sourceIPAddress="198.51.100.7")
    # The same event again, keys in another order and spaced out: a duplicate, not a conflict.
    reordered = orjson.dumps(dict(reversed(list(original.items()))), option=orjson.OPT_INDENT_2)
    later = tmp_path / "later.jsonl"
    later.write_bytes(
        b"\n".join(
            [orjson.dumps(forged), reordered.replace(b"\n", b""), orjson.dumps(make_record(3))]
        )
    )
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "first"])
        summary = ingestor.ingest_paths([later])
    assert (summary.records, summary.events_written, summary.duplicates) == (3, 1, 1)
    assert summary.quarantined == 1
    [(position, reason)] = _rows(data_dir, "SELECT position, reason FROM quarantine")
    assert position == 0
    assert reason == (
        f"eventID conflict: {original['eventID']} is already stored with different content "
        "(eventName, sourceIPAddress differ); possible forgery"
    )
    # The record stored first stays, untouched.
    assert _rows(
        data_dir, f"SELECT event_name FROM cloudtrail WHERE event_id = '{original['eventID']}'"
    ) == [("DeleteTrail",)]
    [alert] = _rows(data_dir, "SELECT rule_id, severity, event_ids, resource, source FROM alerts")
    assert alert == (CONFLICT_RULE, "high", [original["eventID"]], original["eventID"], "ingest")
    # Reading the same conflicting record again raises nothing new.
    again = tmp_path / "again.jsonl"
    again.write_bytes(orjson.dumps(forged))
    with Ingestor(data_dir) as ingestor:
        assert ingestor.ingest_paths([again]).quarantined == 1
    assert len(_rows(data_dir, "SELECT id FROM alerts")) == 1


def test_conflicts_within_one_batch(data_dir: DataDir) -> None:
    first = make_record(7)
    body = b"\n".join(
        orjson.dumps(r)
        for r in [first, dict(first, userAgent="evil"), first, dict(first, awsRegion="xx-1")]
    )
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_bytes(body, "<stdin>", InputFormat.JSON_LINES)
    assert (summary.records, summary.events_written, summary.duplicates) == (4, 1, 1)
    assert summary.quarantined == 2
    reasons = _rows(data_dir, "SELECT position, reason FROM quarantine ORDER BY position")
    assert [(p, r.split("(")[1]) for p, r in reasons] == [  # type: ignore[union-attr]
        (1, "userAgent differs); possible forgery"),
        (3, "awsRegion differs); possible forgery"),
    ]
    assert all("appears earlier in this batch" in str(r) for _, r in reasons)
    assert len(_rows(data_dir, "SELECT id FROM alerts")) == 1  # one actor, one eventID
