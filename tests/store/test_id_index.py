"""The dedupe index: one index file per event file, enough to settle repeats without the events."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import orjson

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.model import SourceFile
from trailhound.sources.files import discover
from trailhound.store.engine import QueryEngine
from trailhound.store.id_index import SUFFIX, IdIndex
from trailhound.store.lake import ParquetLake


def _logs(root: Path, files: int = 3, per_file: int = 4) -> list[SourceFile]:
    for n in range(files):
        write_log(root, [make_record(n * 10 + i) for i in range(per_file)], name=f"f{n}")
    return sorted((f for f in discover([root]) if isinstance(f, SourceFile)), key=str)


def _again(found: list[SourceFile]) -> list[SourceFile]:
    """The same files touched since (as a log rewritten in place): the ledger no longer knows
    them, so they are read again whole."""
    for f in found:
        later = f.path.stat().st_mtime + 1
        os.utime(f.path, (later, later))
    again = (f for f in discover([f.path for f in found]) if isinstance(f, SourceFile))
    return sorted(again, key=str)


def _count(data_dir: DataDir) -> int:
    with QueryEngine(data_dir) as engine:
        return int(engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0])


def _index_matches_lake(data_dir: DataDir) -> None:
    """Exactly one index file per live event file, named for its size, holding its IDs."""
    lake = ParquetLake(data_dir)
    index = IdIndex(data_dir)
    events = lake.files()
    expected = {index.path_of(f, f.stat().st_size) for f in events}
    assert set(index.root.rglob(f"*{SUFFIX}")) == expected
    with duckdb.connect() as con:
        for event_file in events:
            fields = "event_time, event_id, md5_number_lower(raw)"
            ids = con.execute(f"SELECT {fields} FROM read_parquet('{event_file}')").fetchall()
            path = index.path_of(event_file, event_file.stat().st_size)
            indexed = con.execute(
                f"SELECT event_time, event_id, raw_hash FROM read_parquet('{path}')"
            ).fetchall()
            assert sorted(indexed) == sorted(ids)


def test_every_event_file_is_written_with_its_index(tmp_path: Path, data_dir: DataDir) -> None:
    _logs(tmp_path / "logs")
    with Ingestor(data_dir, options=IngestOptions(batch_files=1)) as ingestor:
        assert ingestor.ingest_paths([tmp_path / "logs"]).events_written == 12
    _index_matches_lake(data_dir)


def test_a_reingest_stores_nothing_twice_without_reading_event_files(
    tmp_path: Path, data_dir: DataDir
) -> None:
    found = _logs(tmp_path / "logs")
    with Ingestor(data_dir) as ingestor:
        assert ingestor.ingest_files(found).events_written == 12
    # Every event file overwritten with bytes of the same size: its index still counts, and
    # any read of an event file would fail the ingest.
    lake = ParquetLake(data_dir)
    events = lake.files()
    saved = {f: f.read_bytes() for f in events}
    for f in events:
        f.write_bytes(b"\0" * f.stat().st_size)
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_files(_again(found))
    assert (summary.records, summary.events_written, summary.duplicates) == (12, 0, 12)
    assert summary.quarantined == 0
    assert lake.files() == events  # nothing written
    for f, data in saved.items():
        f.write_bytes(data)
    assert _count(data_dir) == 12


def test_a_lost_index_is_rebuilt_from_the_event_files(tmp_path: Path, data_dir: DataDir) -> None:
    found = _logs(tmp_path / "logs")
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_files(found)
    index = IdIndex(data_dir)
    for path in index.root.rglob(f"*{SUFFIX}"):
        path.unlink()  # as a lake written before the index existed
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_files(_again(found))
    assert (summary.events_written, summary.duplicates) == (0, 12)
    assert _count(data_dir) == 12
    _index_matches_lake(data_dir)


def test_a_stale_or_damaged_index_is_rebuilt(tmp_path: Path, data_dir: DataDir) -> None:
    found = _logs(tmp_path / "logs")
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_files(found)
    index = IdIndex(data_dir)
    path = sorted(index.root.rglob(f"*{SUFFIX}"))[0]
    # Named for another size of its event file: stale. A leftover of a file no longer live.
    stale = path.with_name(path.name.replace(".ids", "1.ids"))
    path.rename(stale)
    (path.parent / f"part-gone.1{SUFFIX}").write_bytes(b"left over")
    with Ingestor(data_dir) as ingestor:
        assert ingestor.ingest_files(_again(found)).duplicates == 12
    _index_matches_lake(data_dir)
    # Damaged under its right name: unreadable, so built again from the event file.
    path.write_bytes(b"PAR1 not really")
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_files(_again(found))
    assert (summary.events_written, summary.duplicates, summary.quarantined) == (0, 12, 0)
    _index_matches_lake(data_dir)


def test_a_changed_record_under_a_stored_id_is_still_a_conflict(
    tmp_path: Path, data_dir: DataDir
) -> None:
    original = make_record(1, eventName="DeleteTrail")
    write_log(tmp_path / "first", [original], name="a")
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "first"])
    later = tmp_path / "later.jsonl"
    reordered = dict(reversed(list(original.items())))  # the same event: a duplicate
    forged = dict(original, eventName="ListUsers")
    later.write_bytes(orjson.dumps(reordered) + b"\n" + orjson.dumps(forged))
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([later])
    assert (summary.events_written, summary.duplicates, summary.quarantined) == (0, 1, 1)


def test_compaction_merges_the_index_with_the_files(tmp_path: Path, data_dir: DataDir) -> None:
    _logs(tmp_path / "logs", files=4)
    with Ingestor(data_dir, options=IngestOptions(batch_files=1, compact=False)) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    lake = ParquetLake(data_dir)
    before = lake.files()
    with duckdb.connect() as con:
        assert lake.compact(con, min_files=2) == len(before) == 12
    assert len(lake.files()) == 3  # one a day
    _index_matches_lake(data_dir)
    # A merged index is sorted by time: dedupe reads only the row groups of its batch's span.
    index = IdIndex(data_dir)
    with duckdb.connect() as con:
        for event_file in lake.files():
            path = index.path_of(event_file, event_file.stat().st_size)
            times = con.execute(f"SELECT event_time FROM read_parquet('{path}')").fetchall()
            assert times == sorted(times)
