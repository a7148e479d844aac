"""Hostile input through the real ingest path: nothing lost, nothing doubled, nothing escapes.

Hypothesis builds log files an attacker could write to the trail bucket — records with wrong
types in typed fields, extreme times, odd account IDs, deep nesting, many keys, copies and
forgeries of other records' eventIDs, arrays of empty objects past the per-object limit, mixed
with good records, in every input shape, plain, gzip or as concatenated gzip members — and files
with a bad byte or a truncated tail. Each example is ingested by a real ``Ingestor`` into a
temporary data directory, and then:

- every input record is stored exactly once or quarantined with a reason, or counted as a
  duplicate (records in = stored + quarantined + duplicates);
- no eventID is stored twice, and every good record is stored;
- in a damaged file, every record the damage did not touch is stored;
- nothing is written outside the data directory, and Python memory stays bounded.
"""

from __future__ import annotations

import gzip
import hashlib
import tempfile
import tracemalloc
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trailhound.data_dir import DataDir
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.normalize.limits import RecordLimits
from trailhound.store.engine import QueryEngine

LIMITS = RecordLimits(max_records=40, max_keys=200, max_depth=12)
OPTIONS = IngestOptions(
    limits=LIMITS, batch_files=3, memory_limit="512MB", fast_object_bytes=4 * 1024 * 1024
)
PYTHON_MEMORY_LIMIT = 96 * 1024 * 1024
TYPED_FIELDS = (
    "eventTime",
    "eventName",
    "eventID",
    "eventSource",
    "awsRegion",
    "recipientAccountId",
    "readOnly",
    "managementEvent",
    "userIdentity",
    "sourceIPAddress",
    "tlsDetails",
    "requestParameters",
)
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**63 - 1,
    1.5e300,
    True,
    "",
    "x" * 3000,
    "\u0000\u202e\x1b[31m",
    [],
    [1, "a"],
    {},
    {"nested": {"deeper": [1]}},
    "infinity",
    "-infinity",
    "10000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "0000-00-00",
    "111.122",
    "111_122",
    "../../../etc/passwd",
    "1" * 300,
    "12345678901",
]


def _good(n: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::111122223333:user/u{n % 5}"},
        "eventTime": f"2026-11-0{1 + n % 3}T10:{n % 60:02d}:{n % 59:02d}Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": f"Call{n % 7}",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "eventID": f"good-{n}",
        "recipientAccountId": "111122223333",
    }
    record.update(changes)
    return record


@dataclass
class Plan:
    """The records an example writes, and what must become of them."""

    files: list[tuple[str, bytes]] = field(default_factory=list)
    records_in: int = 0
    good_ids: set[str] = field(default_factory=set)
    overflow: dict[str, int] = field(default_factory=dict)  # file → records past the limit


@st.composite
def hostile_record(draw: st.DrawFn, n: int, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    """One record, good or hostile; ``earlier`` holds the good ones written before it."""
    kind = draw(
        st.sampled_from(
            ["good", "good", "odd field", "deep", "keys", "not object", "copy", "forged", "empty"]
        )
    )
    if kind in ("copy", "forged") and earlier:
        original = draw(st.sampled_from(earlier))
        return dict(original) if kind == "copy" else dict(original, eventName="Forged")
    if kind == "odd field":
        name = draw(st.sampled_from(TYPED_FIELDS))
        value = draw(st.sampled_from(ODD_VALUES))
        return _good(n, **{"eventID": f"odd-{n}", name: value})
    if kind == "deep":
        deep: Any = "leaf"
        for _ in range(draw(st.integers(10, 40))):
            deep = [deep]
        return _good(n, eventID=f"deep-{n}", requestParameters={"x": deep})
    if kind == "keys":
        count = draw(st.integers(150, 400))
        return _good(n, eventID=f"keys-{n}", requestParameters={f"k{i}": i for i in range(count)})
    if kind == "not object":
        return draw(st.sampled_from([None, 1, "text", [1, 2], True]))  # type: ignore[no-any-return]
    if kind == "empty":
        return {}
    record = _good(n)
    earlier.append(record)
    return record


def _pack(records: list[Any], shape: str, packing: str) -> tuple[str, bytes]:
    """A file name and body for ``records`` in an input shape, packed."""
    if shape == "jsonl" or packing == "members":
        # Concatenated gzip members are separate documents: JSON lines of record arrays.
        half = len(records) // 2
        parts = [records[:half], records[half:]] if packing == "members" else [records]
        if shape == "jsonl" and packing != "members":
            text = b"\n".join(orjson.dumps(r) for r in records)
            return ".jsonl" + (".gz" if packing == "gzip" else ""), (
                gzip.compress(text) if packing == "gzip" else text
            )
        members = [gzip.compress(orjson.dumps({"Records": p})) for p in parts]
        return ".json.gz", b"".join(members)
    doc = records if shape == "array" else {"Records": records}
    body = orjson.dumps(doc)
    if packing == "gzip":
        return ".json.gz", gzip.compress(body)
    return ".json", body


@st.composite
def hostile_files(draw: st.DrawFn) -> Plan:
    """A handful of files of hostile records, counted."""
    plan = Plan()
    earlier: list[dict[str, Any]] = []
    n = 0
    for number in range(draw(st.integers(1, 5))):
        shape = draw(st.sampled_from(["cloudtrail", "generic", "array", "jsonl"]))
        packing = draw(st.sampled_from(["plain", "gzip", "members"]))
        if shape in ("array",) and packing == "members":
            packing = "gzip"
        records: list[Any] = []
        for _ in range(draw(st.integers(0, 12))):
            records.append(draw(hostile_record(n, earlier)))
            n += 1
        if draw(st.booleans()) and packing != "members" and shape != "jsonl":
            records += [{}] * draw(st.integers(LIMITS.max_records, 3 * LIMITS.max_records))
        suffix, body = _pack(records, shape, packing)
        kind = "CloudTrail" if shape == "cloudtrail" else "Export"
        name = f"111122223333_{kind}_us-east-1_20261101T1000Z_{number}{suffix}"
        plan.files.append((name, body))
        plan.records_in += len(records)
        if len(records) > LIMITS.max_records:
            plan.overflow[name] = len(records) - LIMITS.max_records
    plan.good_ids = {r["eventID"] for r in earlier}
    return plan


def _write(root: Path, files: list[tuple[str, bytes]]) -> Path:
    logs = root / "logs" / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2026"
    logs.mkdir(parents=True)
    for name, body in files:
        (logs / name).write_bytes(body)
    return root / "logs"


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def _ingest(root: Path, logs: Path) -> tuple[Any, DataDir, int]:
    data_dir = DataDir(root / "store")
    before = _snapshot(logs)
    tracemalloc.start()
    try:
        with Ingestor(data_dir, options=OPTIONS) as ingestor:
            summary = ingestor.ingest_paths([logs])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Nothing written outside the data directory: the inputs are untouched, nothing beside.
    assert _snapshot(logs) == before
    assert sorted(p.name for p in root.iterdir()) == ["logs", "store"]
    return summary, data_dir, peak


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hostile_files())
def test_every_hostile_record_is_stored_once_or_quarantined(plan: Plan) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        summary, data_dir, peak = _ingest(root, _write(root, plan.files))
        with QueryEngine(data_dir) as engine:
            stored = [str(r[0]) for r in engine.execute("SELECT event_id FROM cloudtrail")[1]]
            quarantine = engine.execute("SELECT source, position, reason FROM quarantine")[1]
    assert len(stored) == len(set(stored)), "an eventID was stored twice"
    assert plan.good_ids <= set(stored), "a good record was lost"
    assert all(reason for _, _, reason in quarantine)
    # Entries without a position stand for a whole file: here only files without records.
    assert {r for _, p, r in quarantine if p is None} <= {"empty file"}
    records = [(s, r) for s, p, r in quarantine if p is not None]
    overflow = {Path(str(s)).name: r for s, r in records if "records in one object" in r}
    assert set(overflow) == set(plan.overflow)
    counted = len(records) - len(overflow) + sum(plan.overflow.values())
    assert plan.records_in == len(stored) + counted + summary.duplicates
    assert summary.events_written == len(stored)
    assert peak < PYTHON_MEMORY_LIMIT


@st.composite
def damaged_file(draw: st.DrawFn, number: int) -> tuple[str, bytes, set[str]]:
    """Good records in a CloudTrail file, then one kind of damage: the file, and who survives."""
    records = [
        _good(n, eventID=f"f{number}-{n}", requestID=f"{n * 7919:x}" * (n % 9))
        for n in range(draw(st.integers(1, 30)))
    ]
    ids = [r["eventID"] for r in records]
    body = orjson.dumps({"Records": records})
    spans = []
    offset = len(b'{"Records":[')
    for record in records:
        size = len(orjson.dumps(record))
        spans.append((offset, offset + size))
        offset += size + 1
    damage = draw(st.sampled_from(["byte", "cut", "gzip cut", "noise"]))
    compress = damage == "gzip cut" or draw(st.booleans())
    if damage == "byte":
        at = draw(st.integers(0, len(body) - 1))
        text = body[:at] + b"\xff" + body[at + 1 :]
        expected = {i for i, (start, end) in zip(ids, spans, strict=True) if not start <= at < end}
        raw = gzip.compress(text) if compress else text
    elif damage == "cut":
        at = draw(st.integers(0, len(body) - 1))
        expected = {i for i, (_, end) in zip(ids, spans, strict=True) if end <= at}
        raw = gzip.compress(body[:at]) if compress else body[:at]
    elif damage == "gzip cut":
        packed = gzip.compress(body)
        raw = packed[: draw(st.integers(10, len(packed) - 9))]
        prefix = zlib.decompressobj(wbits=31).decompress(raw)
        expected = {i for i, (_, end) in zip(ids, spans, strict=True) if end <= len(prefix)}
    else:
        raw = draw(st.binary(min_size=1, max_size=3000))
        expected = set()
    suffix = ".json.gz" if compress else ".json"
    return f"111122223333_CloudTrail_us-east-1_20261101T1000Z_{number}{suffix}", raw, expected


@st.composite
def damaged_files(draw: st.DrawFn) -> list[tuple[str, bytes, set[str]]]:
    """A few damaged files."""
    return [draw(damaged_file(number)) for number in range(draw(st.integers(1, 4)))]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_files())
def test_damaged_files_salvage_every_intact_record(
    files: list[tuple[str, bytes, set[str]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        summary, data_dir, _ = _ingest(root, _write(root, [(name, raw) for name, raw, _ in files]))
        with QueryEngine(data_dir) as engine:
            stored = [str(r[0]) for r in engine.execute("SELECT event_id FROM cloudtrail")[1]]
            sources = {
                Path(str(r[0])).name
                for r in engine.execute("SELECT DISTINCT source FROM quarantine")[1]
            }
    assert len(stored) == len(set(stored))
    assert set(stored) == set().union(*(expected for _, _, expected in files))
    assert sources == {name for name, _, _ in files}, "some damage was not reported"
    assert summary.events_written == len(stored)
