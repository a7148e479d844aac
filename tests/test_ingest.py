"""Ingest end to end: every input shape, bad input, deduplication."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.store.engine import QueryEngine


def _count(data_dir: DataDir, sql: str = "SELECT count(*) FROM cloudtrail") -> int:
    with QueryEngine(data_dir) as engine:
        return int(engine.execute(sql)[1][0][0])


def _quarantine(data_dir: DataDir) -> list[tuple[str, int | None, str]]:
    with QueryEngine(data_dir) as engine:
        rows = engine.execute("SELECT source, position, reason FROM quarantine ORDER BY ALL")[1]
    return [(str(s), p, str(r)) for s, p, r in rows]


def test_s3_layout_recursive_gzip_and_plain(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(i) for i in range(5)], name="a")
    write_log(
        logs, [make_record(i) for i in range(5, 8)], name="b", compress=False, region="eu-west-1"
    )
    org = logs / "AWSLogs" / "o-abcdefghij"
    write_log(
        org,
        [make_record(9, recipientAccountId=None, userIdentity=None)],
        account="444455556666",
        name="c",
    )
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert (summary.files, summary.events_written, summary.quarantined) == (3, 9, 0)
    # The organization trail's account comes from the path when the record names none.
    assert _count(data_dir, "SELECT count(*) FROM cloudtrail WHERE account = '444455556666'") == 1
    parts = sorted(
        p.relative_to(data_dir.events).parts[:2] for p in data_dir.events.rglob("*.parquet")
    )
    assert ("date=2026-11-01", "account=111122223333") in parts


def test_insight_digest_and_writability_files(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    insight = make_record(
        1,
        eventType="AwsCloudTrailInsight",
        eventCategory=None,
        insightDetails={"state": "Start", "eventName": "ListUsers"},
    )
    del insight["eventCategory"]
    write_log(logs, [insight], kind="CloudTrail-Insight", name="i")
    digest = write_log(logs, [], kind="CloudTrail-Digest", name="d")
    digest.rename(digest.with_name(digest.name.replace("CloudTrail-Digest", "CloudTrail-Digest")))
    (logs / "AWSLogs" / "ConfigWritabilityCheckFile").write_text("ok")
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert summary.events_written == 1
    assert summary.files_skipped["digest file"] == 1
    assert summary.files_skipped["ConfigWritabilityCheckFile"] == 1
    assert (
        _count(
            data_dir,
            "SELECT count(*) FROM cloudtrail WHERE event_category = 'Insight' "
            "AND insight_details LIKE '%Start%'",
        )
        == 1
    )


def test_other_shapes(tmp_path: Path, data_dir: DataDir) -> None:
    lines = tmp_path / "events.jsonl"
    lines.write_bytes(b"\n".join(orjson.dumps(make_record(i)) for i in range(3)))
    lookup = tmp_path / "lookup.json"
    lookup.write_bytes(
        orjson.dumps(
            {
                "Events": [
                    {"EventId": "x", "CloudTrailEvent": orjson.dumps(make_record(10)).decode()}
                ]
            }
        )
    )
    lake = tmp_path / "lake-export.json"
    record = make_record(11, requestParameters={"bucketName": "b"})
    lake.write_bytes(
        orjson.dumps(
            {
                "QueryResultRows": [
                    [
                        {k: orjson.dumps(v).decode() if isinstance(v, dict) else v}
                        for k, v in record.items()
                    ]
                ]
            }
        )
    )
    array = tmp_path / "array.json"
    array.write_bytes(orjson.dumps([make_record(12), make_record(13)]))
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([tmp_path / "events.jsonl", lookup, lake, array])
    assert (summary.events_written, summary.quarantined) == (7, 0)
    assert (
        _count(
            data_dir,
            "SELECT count(*) FROM cloudtrail WHERE request_parameters->>'$.bucketName' = 'b'",
        )
        == 1
    )


def test_bad_input_is_quarantined_with_reasons(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    good = write_log(logs, [make_record(1)], name="good")
    truncated = write_log(logs, [make_record(i) for i in range(2, 50)], name="trunc")
    truncated.write_bytes(truncated.read_bytes()[:200])
    invalid = write_log(logs, [], name="invalid", compress=False)
    invalid.write_bytes(b'{"Records": [{"eventName": ')
    partial = [
        make_record(60, eventTime=None),
        {k: v for k, v in make_record(61).items() if k != "eventName"},
        make_record(62, eventName=42),
        make_record(63, eventTime="yesterday"),
        make_record(64, userIdentity="alice"),
        "not a record",
        make_record(65),
    ]
    write_log(logs, partial, name="partial")
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert summary.events_written == 2  # good + record 65
    reasons = {reason.split(":")[0] for _, _, reason in _quarantine(data_dir)}
    assert {
        "missing eventTime",
        "missing eventName",
        "eventName is UBIGINT, expected a string",
        "eventTime is not a timestamp",
        "userIdentity is VARCHAR, expected an object",
        "record is not a JSON object",
        "truncated gzip",
        "invalid JSON",
    } <= reasons
    assert summary.quarantined == len(_quarantine(data_dir))
    positions = {(Path(s).name.split("_")[-1], p) for s, p, _ in _quarantine(data_dir)}
    assert ("partial.json.gz", 0) in positions and ("partial.json.gz", 5) in positions
    assert good.exists()


def test_size_limit(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(i) for i in range(200)], name="big", compress=False)
    with Ingestor(data_dir, options=IngestOptions(max_object_bytes=10_000)) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert summary.events_written == 0
    assert [r for _, _, r in _quarantine(data_dir)] == [
        "object larger than the size limit of 10000 bytes"
    ]


def test_reingest_adds_nothing(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(i) for i in range(10)], name="a")
    with Ingestor(data_dir) as ingestor:
        first = ingestor.ingest_paths([logs])
    with Ingestor(data_dir) as ingestor:
        again = ingestor.ingest_paths([logs])
    # The same events under another file name are caught by eventID.
    write_log(tmp_path / "copy", [make_record(i) for i in range(12)], name="b")
    with Ingestor(data_dir) as ingestor:
        copy = ingestor.ingest_paths([tmp_path / "copy"])
    assert first.events_written == 10
    assert again.files_skipped["already ingested"] == 1 and again.events_written == 0
    assert (copy.events_written, copy.duplicates) == (2, 10)
    assert _count(data_dir) == 12


def test_duplicates_within_a_batch(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(1), make_record(1), make_record(2)], name="a")
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert (summary.events_written, summary.duplicates) == (2, 1)


def test_ingest_bytes_gzip_concatenated(data_dir: DataDir) -> None:
    body = gzip.compress(orjson.dumps({"Records": [make_record(1)]}))
    body += gzip.compress(orjson.dumps({"Records": [make_record(2)]}))
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_bytes(body, "<stdin>")
    # Two concatenated gzip members hold two JSON documents: read as JSON lines.
    assert summary.events_written == 2


def test_lowercase_keys_are_repaired(data_dir: DataDir) -> None:
    record = {
        "eventtime": "2022-07-17 04:50:23",
        "eventname": "CreateIPSet",
        "eventsource": "guardduty.amazonaws.com",
        "eventID": "e-1",
        "awsregion": "us-east-1",
    }
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_bytes(orjson.dumps(record), "lower")
    assert summary.events_written == 1
    with QueryEngine(data_dir) as engine:
        row = engine.execute("SELECT event_name, aws_region, raw FROM cloudtrail")[1][0]
    assert row[0] == "CreateIPSet" and row[1] == "us-east-1"
    assert orjson.loads(row[2]) == record  # the original, untouched
