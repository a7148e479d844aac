"""The lake's files: layout, types other engines read, atomic publication, compaction."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.schema import EVENT_COLUMNS
from trailhound.store.engine import QueryEngine
from trailhound.store.lake import JOURNAL, ParquetLake
from trailhound.store.lock import publishing


def test_open_types_and_layout(tmp_path: Path, data_dir: DataDir) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(6)])
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    files = ParquetLake(data_dir).files()
    assert files and not list(data_dir.staging.iterdir())  # nothing left half-written
    schema = pq.read_schema(files[0])
    assert schema.names == [c.name for c in EVENT_COLUMNS]
    assert schema.field("event_time").type == pa.timestamp("us", tz="UTC")
    assert schema.field("event_id").type == pa.string()  # never a UUID type
    assert pq.ParquetFile(files[0]).metadata.row_group(0).column(0).compression == "ZSTD"
    assert {f.parent.parent.name for f in files} == {
        "date=2026-11-01",
        "date=2026-11-02",
        "date=2026-11-03",
    }


def test_compaction_keeps_every_event(tmp_path: Path, data_dir: DataDir) -> None:
    for n in range(10):
        write_log(
            tmp_path / f"logs{n}", [make_record(n * 3 + 30 + i) for i in range(3)], name=f"f{n}"
        )
    options = IngestOptions(batch_files=1, compact=False)
    with Ingestor(data_dir, options=options) as ingestor:
        ingestor.ingest_paths([tmp_path / f"logs{n}" for n in range(10)])
    lake = ParquetLake(data_dir)
    before = len(lake.files())
    removed = lake.compact(duckdb.connect(), min_files=2)
    assert removed == before and len(lake.files()) == len(lake.partitions()) < before
    with QueryEngine(data_dir) as engine:
        assert engine.execute("SELECT count(DISTINCT event_id), count(*) FROM cloudtrail")[1] == [
            (30, 30)
        ]


def test_cloud_audit_logs_view(tmp_path: Path, data_dir: DataDir) -> None:
    write_log(tmp_path / "logs", [make_record(1, errorCode="AccessDenied")])
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    with QueryEngine(data_dir) as engine:
        _cols, rows = engine.execute(
            "SELECT api_operation, cloud_provider, status, actor_name FROM cloud_audit_logs"
        )
    assert rows == [("ListUsers", "AWS", "Failure", "arn:aws:iam::111122223333:user/alice")]


def test_empty_lake_has_the_schema(data_dir: DataDir) -> None:
    with QueryEngine(data_dir) as engine:
        columns, rows = engine.execute("SELECT * FROM cloudtrail")
    assert rows == [] and "event_name" in columns


def test_a_listing_waits_for_a_publication_in_progress(tmp_path: Path, data_dir: DataDir) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(3)])
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    lake = ParquetLake(data_dir)
    listed: list[int] = []
    with publishing(data_dir.publish_lock):  # a writer between its renames and its deletes
        reader = threading.Thread(target=lambda: listed.append(len(lake.files())))
        reader.start()
        reader.join(timeout=0.3)
        assert reader.is_alive() and not listed
    reader.join(timeout=5)
    assert listed == [len(lake.files())] and listed[0] > 0


def test_a_journal_hides_the_files_it_retires_once_its_file_is_in(
    tmp_path: Path, data_dir: DataDir
) -> None:
    for n in range(3):
        write_log(tmp_path / f"logs{n}", [make_record(n * 3 + i) for i in range(3)], name=f"f{n}")
    with Ingestor(data_dir, options=IngestOptions(batch_files=1, compact=False)) as ingestor:
        ingestor.ingest_paths([tmp_path / f"logs{n}" for n in range(3)])
    lake = ParquetLake(data_dir)
    old = [f for f in lake.files() if "date=2026-11-01" in str(f)]
    merged = old[0].with_name("part-merged-0.parquet")
    journal = data_dir.staging / "merged" / JOURNAL
    journal.parent.mkdir()
    journal.write_bytes(
        orjson.dumps(
            {
                "publish": [str(merged.relative_to(lake.root))],
                "retire": [str(f.relative_to(lake.root)) for f in old[1:]],
            }
        )
    )
    assert set(old) <= set(lake.files())  # the merged file is not in the lake: nothing retired
    shutil.copy(old[0], merged)
    listed = set(lake.files())
    assert merged in listed and not set(old[1:]) & listed
    with pytest.raises(StoreError, match="needs the write lock"):
        lake.recover()
    with lake.writing():  # the next writer finishes the swap
        pass
    assert not journal.exists() and not any(f.exists() for f in old[1:])
