"""Nothing is lost on the way in: every stored record reads back as the original, through the
log-file reader (DuckDB) as well as the careful one, and its promoted columns hold the values
a JSON lookup gives."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import duckdb
import orjson

from tests.conftest import write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.schema import PROMOTED_COLUMNS
from trailhound.store.engine import QueryEngine
from trailhound_demo.generator import generate_demo

_PROMOTED = ", ".join(c.name for c in PROMOTED_COLUMNS)


def _real_records(shared: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted((shared / "stratus").glob("*.json")):
        records += orjson.loads(path.read_bytes())
    for line in (shared / "panther" / "cases.jsonl").read_bytes().splitlines():
        records.append(orjson.loads(line)["log"])
    for line in (shared / "aws-docs" / "network_activity_examples.jsonl").read_bytes().splitlines():
        records.append(orjson.loads(line))
    return records


def _promoted_value(record: dict[str, Any], source: str) -> Any:
    part, _, key = source.partition(".")
    inside = record.get(part)
    return inside.get(key) if isinstance(inside, dict) else None


def _stored(data_dir: DataDir) -> list[dict[str, Any]]:
    with QueryEngine(data_dir) as engine:
        columns, rows = engine.execute(
            f"SELECT source_object, source_index, raw, {_PROMOTED} FROM cloudtrail"
        )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _check(stored: list[dict[str, Any]], originals: dict[tuple[str, int], Any]) -> None:
    """Each stored row's raw equals its original as JSON; promoted columns as JSON lookups."""
    assert stored
    for row in stored:
        original = originals[(row["source_object"], row["source_index"])]
        assert orjson.loads(row["raw"]) == original  # same keys, values and types
        for column in PROMOTED_COLUMNS:
            expected = _promoted_value(original, column.source or "")
            got = row[column.name]
            if expected is None:
                assert got is None, column.name
            elif isinstance(expected, str):
                assert got == expected, column.name
            else:  # a number, a boolean or a structure: its JSON text
                assert got is not None and orjson.loads(got) == expected, column.name


def test_real_records_round_trip_through_the_log_file_reader(
    shared_data: Path, tmp_path: Path, data_dir: DataDir
) -> None:
    records = _real_records(shared_data)
    logs = tmp_path / "logs"
    originals: dict[tuple[str, int], Any] = {}
    for n in range(0, len(records), 100):  # several files, read by DuckDB in one batch
        part = records[n : n + 100]
        path = write_log(logs, part, name=f"{n:04d}")
        originals.update({(str(path), i): r for i, r in enumerate(part)})
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert summary.records == len(records) == 551
    stored = _stored(data_dir)
    assert len(stored) == summary.events_written >= 500
    _check(stored, originals)
    # The material exercises the promoted columns, not only their absence.
    assert sum(1 for row in stored if row["request_bucket_name"]) >= 10
    assert sum(1 for row in stored if row["request_user_name"]) >= 5


def test_demo_records_round_trip(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "demo"
    generate_demo(logs, events=1500, seed=3, workers=1)
    originals: dict[tuple[str, int], Any] = {}
    for path in logs.rglob("*.json.gz"):  # log files and Insights files; digests have none
        document = orjson.loads(gzip.decompress(path.read_bytes()))
        if "Records" in document:
            originals.update({(str(path), i): r for i, r in enumerate(document["Records"])})
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    assert summary.quarantined == 0
    stored = _stored(data_dir)
    assert len(stored) == len(originals) == summary.events_written
    _check(stored, originals)


def test_a_promoted_field_filters_the_same_as_its_json_lookup(
    tmp_path: Path, data_dir: DataDir
) -> None:
    from trailhound.query.compiler import compile_query

    logs = tmp_path / "demo"
    generate_demo(logs, events=800, seed=5, workers=1)
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([logs])
    # A file as an older version wrote it, without the promoted columns: read the same way.
    lake = data_dir.events
    newest = max(lake.rglob("*.parquet"), key=lambda p: p.stat().st_size)
    older = newest.with_name("part-older-0.parquet")
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * EXCLUDE ({_PROMOTED}) FROM read_parquet('{newest}')) "
            f"TO '{older}' (FORMAT parquet)"
        )
        row = con.execute(
            f"SELECT count(*) FROM read_parquet('{older}') "
            "WHERE request_parameters ->> '$.bucketName' IS NOT NULL"
        ).fetchone()
    assert row is not None and row[0] > 0  # the older file has some to find
    newest.unlink()
    json_lookup = "request_parameters ->> '$.bucketName'"
    with QueryEngine(data_dir) as engine:
        through_json = engine.execute(
            f"SELECT count(*) FROM cloudtrail WHERE {json_lookup} IS NOT NULL"
        )[1][0][0]
        for name in ("requestParameters.bucketName", "request_bucket_name"):
            compiled = compile_query(f"dataset = cloudtrail | filter {name} != null | comp count()")
            assert "request_bucket_name" in compiled.expression.sql("duckdb")
            assert engine.execute(compiled.expression)[1][0][0] == through_json > 0
