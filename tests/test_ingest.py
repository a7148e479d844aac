"""Ingest end to end: every input shape, bad input, deduplication."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import duckdb
import orjson
import pytest

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchContext
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.model import BatchOutcome, Blob, InputFormat, RawBatch, SourceFile
from trailhound.normalize.limits import RecordLimits
from trailhound.sources.base import SOURCES, SourceContext
from trailhound.sources.files import discover
from trailhound.store.engine import QueryEngine
from trailhound.store.lake import ParquetLake


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


def test_values_out_of_range_cost_their_record_only(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    hostile = [
        make_record(1, eventTime="10000-01-01T00:00:00Z"),
        make_record(2, eventTime="infinity"),
        make_record(3, eventTime="1969-12-31T23:59:59Z"),
        make_record(4, recipientAccountId="1" * 300),
        make_record(5, recipientAccountId="111.122"),
        make_record(6, recipientAccountId="111_122"),
        make_record(7, recipientAccountId={"id": "111122223333"}),
        make_record(8, eventTime="2099-12-31T23:59:59Z"),
        make_record(9, recipientAccountId=None, userIdentity={"accountId": "../../etc"}),
        make_record(10, recipientAccountId=None, userIdentity={"accountId": "444455556666"}),
    ]
    write_log(logs, [make_record(0), *hostile], name="a")
    for _ in range(2):  # and again: nothing blocks a later run either
        with Ingestor(data_dir) as ingestor:
            summary = ingestor.ingest_paths([logs])
    reasons = sorted(r for _, _, r in _quarantine(data_dir))
    assert reasons == sorted(
        [
            "eventTime is outside 1970-01-01 to 2100-01-01: 10000-01-01T00:00:00Z",
            "eventTime is outside 1970-01-01 to 2100-01-01: infinity",
            "eventTime is outside 1970-01-01 to 2100-01-01: 1969-12-31T23:59:59Z",
            "recipientAccountId is not a 12-digit account ID: " + "1" * 64,
            "recipientAccountId is not a 12-digit account ID: 111.122",
            "recipientAccountId is not a 12-digit account ID: 111_122",
            'recipientAccountId is not a 12-digit account ID: {"id":"111122223333"}',
        ]
    )
    with QueryEngine(data_dir) as engine:
        stored = dict(engine.execute("SELECT event_id, account FROM cloudtrail")[1])
    # A record naming no recipient is filed under its caller's account, else its file's.
    assert stored == {
        "00000000-0000-4000-8000-000000000000": "111122223333",
        "00000000-0000-4000-8000-000000000008": "111122223333",
        "00000000-0000-4000-8000-000000000009": "111122223333",
        "00000000-0000-4000-8000-000000000010": "444455556666",
    }
    assert summary.files_skipped["already ingested"] == 1
    folders = {p.name for p in data_dir.events.glob("*/*")}
    assert folders == {"account=111122223333", "account=444455556666"}


def test_structure_limits(data_dir: DataDir) -> None:
    deep: object = "leaf"
    for _ in range(70):
        deep = [deep]
    records = [
        make_record(1, requestParameters={"x": deep}),
        make_record(2, requestParameters={f"k{i}": i for i in range(10_001)}),
        make_record(3, requestParameters={"many": "[[[[" * 100 + "::::" * 3000}),
    ]
    body = gzip.compress(orjson.dumps({"Records": records}))
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_bytes(body, "s3://bucket/AWSLogs/x_CloudTrail_y.json.gz")
    assert (summary.events_written, summary.quarantined) == (1, 2)
    assert sorted(r for _, _, r in _quarantine(data_dir)) == [
        "record has more than 10000 keys",
        "record nests deeper than 64 levels",
    ]


def test_records_past_the_per_object_limit(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(i) for i in range(30)], name="fast")
    write_log(logs, [make_record(i) for i in range(100, 130)], name="careful", kind="Other")
    options = IngestOptions(limits=RecordLimits(max_records=20))
    with Ingestor(data_dir, options=options) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert (summary.records, summary.events_written) == (40, 40)
    reasons = {Path(s).name.split("_")[-1]: r for s, _, r in _quarantine(data_dir)}
    assert reasons == {
        "fast.json.gz": "more than 20 records in one object: records from index 20 on were "
        "not read",
        "careful.json.gz": "more than 20 records in one object: records from index 20 on were "
        "not read",
    }


def _poison_lake(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[int]:
    """Make the lake fail on any batch holding a ``Poison`` event: a fault in the data.

    Returns the list that counts the failed writes.
    """
    write = ParquetLake.write
    failed: list[int] = []

    def failing(self: ParquetLake, con: duckdb.DuckDBPyConnection, relation: str) -> list[Path]:
        poisoned = con.execute(
            f"SELECT count(*) FROM {relation} WHERE event_name = 'Poison'"
        ).fetchone()
        if poisoned and poisoned[0]:
            failed.append(poisoned[0])
            raise error
        return write(self, con, relation)

    monkeypatch.setattr(ParquetLake, "write", failing)
    return failed


def test_a_failing_record_is_isolated_by_file_then_record(
    tmp_path: Path, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_lake(monkeypatch, duckdb.ConversionException("cannot convert"))
    logs = tmp_path / "logs"
    for n in range(6):
        records = [make_record(10 * n + i) for i in range(5)]
        if n == 4:
            records[3] = make_record(43, eventName="Poison")
        write_log(logs, records, name=f"f{n}")
    write_log(logs, [make_record(99, eventTime=None)], name="bad")
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert (summary.files, summary.records, summary.events_written) == (7, 31, 29)
    assert summary.quarantined == 2
    assert sorted((Path(s).name.split("_")[-1], p, r) for s, p, r in _quarantine(data_dir)) == [
        ("bad.json.gz", 0, "missing eventTime"),
        ("f4.json.gz", 3, "could not be stored: ConversionException: cannot convert"),
    ]
    assert _count(data_dir) == 29
    with Ingestor(data_dir) as ingestor:  # every file is in the ledger: nothing is read again
        again = ingestor.ingest_paths([logs])
    assert again.files_skipped["already ingested"] == 7 and again.records == 0


def test_isolating_many_failing_records_is_bounded(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = _poison_lake(monkeypatch, ValueError("bad"))
    records = [make_record(i, eventName="Poison") for i in range(300)]
    with Ingestor(data_dir, options=IngestOptions(isolation_failures=8)) as ingestor:
        summary = ingestor.ingest_bytes(orjson.dumps(records), "many")
    assert (summary.records, summary.events_written, summary.quarantined) == (300, 0, 300)
    assert len(failed) <= 2 + 8  # not two commits a record
    assert {r for _, _, r in _quarantine(data_dir)} == {"could not be stored: ValueError: bad"}


def test_a_failure_of_the_environment_is_not_blamed_on_the_data(
    tmp_path: Path, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_lake(monkeypatch, duckdb.IOException("No space left on device"))
    logs = tmp_path / "logs"
    write_log(logs, [make_record(1), make_record(2, eventName="Poison")], name="a")
    with Ingestor(data_dir) as ingestor, pytest.raises(duckdb.IOException):
        ingestor.ingest_paths([logs])
    assert _quarantine(data_dir) == []
    monkeypatch.undo()  # the disk has room again: the file is read again, whole
    with Ingestor(data_dir) as ingestor:
        assert ingestor.ingest_paths([logs]).events_written == 2


def test_ingest_bytes_isolates_a_failing_record(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_lake(monkeypatch, TypeError("not comparable"))
    body = b"\n".join(
        orjson.dumps(r)
        for r in [make_record(1), make_record(2, eventName="Poison"), make_record(3)]
    )
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_bytes(body, "<stdin>", InputFormat.JSON_LINES)
    assert (summary.records, summary.events_written, summary.quarantined) == (3, 2, 1)
    assert _quarantine(data_dir) == [
        ("<stdin>", 1, "could not be stored: TypeError: not comparable")
    ]


def test_empty_object_bomb_takes_bounded_memory(tmp_path: Path) -> None:
    """A 2 KB gzip of ``[{},{},…]`` once took 4 GB; now a limit of records bounds it."""
    bomb = write_log(tmp_path / "logs", [], name="bomb")
    bomb.write_bytes(gzip.compress(b'{"Records": [' + b"{}," * 700_000 + b"{}]}", 9))
    assert bomb.stat().st_size < 2500
    script = """
import sys
from pathlib import Path
from trailhound.data_dir import DataDir
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.normalize.limits import RecordLimits

options = IngestOptions(memory_limit="256MB", limits=RecordLimits(max_records=50_000))
with Ingestor(DataDir(Path(sys.argv[1])), options=options) as ingestor:
    summary = ingestor.ingest_paths([Path(sys.argv[2])])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(summary.records, summary.quarantined, int(peak.split()[1]))
"""
    # The child's own peak (VmHWM, kB): the rusage of a child forked from a large test worker
    # counts the worker's pages from before the exec.
    process = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "store"), str(tmp_path / "logs")],
        stdout=subprocess.PIPE,
        check=True,
    )
    records, quarantined, peak_kb = process.stdout.split()
    assert (records, quarantined) == (b"50000", b"50001")
    assert int(peak_kb) * 1024 < 600 * 1024 * 1024


# Any source through the one loop -------------------------------------------------------------
class Replay:
    """A third party's source: objects handed over, in two batches, told what became of each."""

    name: ClassVar[str] = "replay"
    continuous: ClassVar[bool] = False

    def __init__(self, files: Sequence[SourceFile], blobs: Sequence[Blob] = ()) -> None:
        self.files = list(files)
        self.blobs = tuple(blobs)
        self.outcomes: list[tuple[RawBatch, BatchOutcome]] = []
        self.closed = False

    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        known = context.known_files([f.uri for f in self.files])
        fresh = [f for f in self.files if known.get(f.uri) != (f.size, f.mtime)]
        skipped = Counter({"already ingested": len(self.files) - len(fresh)})
        yield RawBatch(files=tuple(fresh[:1]), skipped=skipped, token="first")
        yield RawBatch(files=tuple(fresh[1:]), blobs=self.blobs, token="second")

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        self.outcomes.append((batch, outcome))

    def close(self) -> None:
        self.closed = True


class Watcher:
    """A detection observer that remembers what it was shown."""

    def __init__(self) -> None:
        self.batches: list[tuple[int, tuple[str, ...]]] = []
        self.finished = 0

    def on_batch(self, batch: BatchContext) -> None:
        row = batch.con.execute(f"SELECT count(*) FROM {batch.relation}").fetchone()
        self.batches.append((row[0] if row else 0, batch.accounts))

    def finish(self) -> None:
        self.finished += 1


def _stored(data_dir: DataDir) -> dict[str, list[tuple[object, ...]]]:
    queries = {
        "events": "SELECT event_id, source_object, account FROM cloudtrail",
        "files": "SELECT uri, records FROM ingested_files",
        "seen": "SELECT uri, account, region, hour FROM log_files_seen",
        "quarantine": "SELECT source, position, reason FROM quarantine",
    }
    with QueryEngine(data_dir) as engine:
        return {k: sorted(map(tuple, engine.execute(q)[1])) for k, q in queries.items()}


def test_a_third_party_source_is_ingested_like_the_built_ins(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(i) for i in range(4)], name="a")
    write_log(logs, [make_record(4, eventTime=None), make_record(5)], name="b", region="eu-west-1")
    write_log(logs, [make_record(6)], name="c", kind="Export")
    found = [f for f in discover([logs]) if isinstance(f, SourceFile)]
    assert len(found) == 3
    SOURCES.register(Replay, replace=True)
    assert "replay" in SOURCES and {"files", "stdin", "sqs"} <= set(SOURCES.names())

    theirs, ours = DataDir(tmp_path / "theirs").ensure(), DataDir(tmp_path / "ours").ensure()
    source = SOURCES.get("replay")(found)
    watcher = Watcher()
    with Ingestor(theirs, detection=watcher) as ingestor:
        summary = ingestor.ingest(source)
    with Ingestor(ours) as ingestor:
        builtin = ingestor.ingest(SOURCES.get("files")([logs]))
    assert _stored(theirs) == _stored(ours)
    assert len(_stored(theirs)["seen"]) == 2  # the CloudTrail log files, by name
    assert (summary.files, summary.events_written, summary.quarantined) == (3, 6, 1)
    assert (builtin.files, builtin.events_written, builtin.quarantined) == (3, 6, 1)
    # Told about each batch once it was stored, in order, with what it did.
    assert [(b.token, o.failed, o.summary.files) for b, o in source.outcomes] == [
        ("first", {}, 1),
        ("second", {}, 2),
    ]
    assert sum(o.summary.events_written for _, o in source.outcomes) == 6
    assert all(o.stored(f.uri) for b, o in source.outcomes for f in b.files)
    # Detection saw every committed batch's new events, then the end of the call once.
    assert sum(n for n, _ in watcher.batches) == 6 and watcher.finished == 1
    assert {a for _, accounts in watcher.batches for a in accounts} == {"111122223333"}
    assert not source.closed  # the caller's to close

    again = SOURCES.get("replay")(found, [Blob("pushed", orjson.dumps([make_record(7)]))])
    with Ingestor(theirs) as ingestor:
        second = ingestor.ingest(again)
    assert second.files_skipped["already ingested"] == 3
    assert (second.files, second.events_written) == (1, 1)  # the blob alone
    assert [len(b.files) + len(b.blobs) for b, _ in again.outcomes] == [0, 1]


def test_a_failure_of_the_store_is_raised_or_told_to_a_source_that_retries(
    tmp_path: Path, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    _poison_lake(monkeypatch, duckdb.IOException("No space left on device"))
    logs = tmp_path / "logs"
    write_log(logs, [make_record(1)], name="good")
    write_log(logs, [make_record(2, eventName="Poison")], name="bad")
    found = sorted((f for f in discover([logs]) if isinstance(f, SourceFile)), key=str)
    with Ingestor(data_dir) as ingestor, pytest.raises(duckdb.IOException):
        ingestor.ingest(Replay(found))

    class Queue(Replay):
        continuous: ClassVar[bool] = True

    queue = Queue(found)
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest(queue)  # a queue retries later: it is told, nothing is raised
    [(_, first), (_, second)] = queue.outcomes
    assert first.failed == {} or second.failed == {}
    failed = {**first.failed, **second.failed}
    assert list(failed) == [f.uri for f in found if "bad" in f.uri]
    assert failed[next(iter(failed))].startswith("ingest failed: No space left")
    assert isinstance((first.error or second.error), duckdb.IOException)
    assert _quarantine(data_dir) == []  # not blamed on the data
    assert _count(data_dir) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_is_acknowledged_once_all_its_parts_are_stored(
    tmp_path: Path, data_dir: DataDir, workers: int
) -> None:
    logs = tmp_path / "logs"
    for n in range(5):
        write_log(logs, [make_record(10 * n + i) for i in range(3)], name=f"f{n}")
    found = sorted((f for f in discover([logs]) if isinstance(f, SourceFile)), key=str)
    source = Replay(found)
    # One file per part: the second raw batch has four parts, more than there are workers.
    options = IngestOptions(batch_files=1, parallel_batches=workers)
    with Ingestor(data_dir, options=options) as ingestor:
        summary = ingestor.ingest(source)
    assert (summary.files, summary.events_written) == (5, 15)
    assert _count(data_dir) == 15
    assert [(b.token, o.summary.files, o.summary.events_written) for b, o in source.outcomes] == [
        ("first", 1, 3),
        ("second", 4, 12),
    ]
