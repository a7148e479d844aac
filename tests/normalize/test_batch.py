"""Loading a raw batch: DuckDB's reader for CloudTrail files, the careful reader for the rest."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import orjson

from tests.conftest import make_record, write_log
from trailhound.model import Blob, InputFormat, RecordLimits, SourceFile
from trailhound.normalize.batch import BatchLoader, drop_batch
from trailhound.sources.files import discover


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str | None]]:
    return sorted(
        con.execute(
            "SELECT source_object, source_index, quarantine_reason FROM batch_events"
        ).fetchall()
    )


def test_files_and_blobs_land_in_one_table(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    fast = write_log(logs, [make_record(1), make_record(2, eventTime=None)], name="fast")
    doubled = write_log(logs, [], name="doubled")  # two gzip members: read as documents
    doubled.write_bytes(
        gzip.compress(orjson.dumps({"Records": [make_record(3)]}))
        + gzip.compress(orjson.dumps({"Records": [make_record(4)]}))
    )
    files = sorted((f for f in discover([logs]) if isinstance(f, SourceFile)), key=str)
    blob = Blob("<stdin>", b'{"eventName": "x"}\nnot json\n', InputFormat.JSON_LINES)
    loader = BatchLoader(limits=RecordLimits(max_records=10))
    con = duckdb.connect()
    quarantine = loader.load(con, files, [blob])
    loader.finish(con)
    assert _rows(con) == sorted(
        [
            ("<stdin>", 0, "missing eventTime"),
            (f"{doubled}:0", 0, None),
            (f"{doubled}:1", 0, None),
            (str(fast), 0, None),
            (str(fast), 1, "missing eventTime"),
        ]
    )
    assert [(q.source, q.position) for q in quarantine] == [("<stdin>", 1)]
    drop_batch(con)
    assert con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'batch_events'"
    ).fetchone() == (0,)


def test_objects_past_the_size_limit_are_never_read(tmp_path: Path) -> None:
    path = write_log(tmp_path / "logs", [make_record(i) for i in range(50)], name="big")
    [found] = [f for f in discover([path]) if isinstance(f, SourceFile)]
    loader = BatchLoader(max_object_bytes=100)
    con = duckdb.connect()
    quarantine = loader.load(con, [found], [Blob("pushed", b"x" * 101)])
    assert _rows(con) == []
    assert sorted((q.source, q.reason) for q in quarantine) == [
        (str(path), "object larger than the size limit of 100 bytes"),
        ("pushed", "object larger than the size limit of 100 bytes"),
    ]
