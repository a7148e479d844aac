"""The Spark backend over real lakes: the DuckDB engine's snapshot and state, and the command
line's ``--engine``. Tests marked ``spark`` share the run's one local session."""

from __future__ import annotations

import datetime
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.errors import QueryError
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.schema import ENRICHMENT_COLUMNS, PROMOTED_COLUMNS
from trailhound.store.base import BACKENDS
from trailhound.store.engine import QueryEngine
from trailhound.store.lake import JOURNAL, PROMOTED_PREFIX, ParquetLake
from trailhound.store.spark import SparkBackend, SparkUnavailableError
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

runner = CliRunner()


def _ingest(tmp_path: Path, data_dir: DataDir, batches: int = 3, per_batch: int = 3) -> None:
    """``batches`` files of ``per_batch`` events, all of one day, one lake file each."""
    for n in range(batches):
        records = [
            make_record(n * per_batch + i, eventTime=f"2026-11-01T10:{n:02d}:{i:02d}Z")
            for i in range(per_batch)
        ]
        write_log(tmp_path / f"logs{n}", records, name=f"f{n}")
    (tmp_path / "logs0" / "broken.json").write_text("{not json")  # one quarantined input
    with Ingestor(data_dir, options=IngestOptions(batch_files=1, compact=False)) as ingestor:
        ingestor.ingest_paths([tmp_path / f"logs{n}" for n in range(batches)])


def _utc(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC)
    return value


def _both(data_dir: DataDir, spark: SparkSession, sql: str) -> tuple[Any, Any]:
    """The columns and rows (sorted, times in UTC) of ``sql`` on DuckDB and on Spark."""
    with QueryEngine(data_dir) as engine:
        columns, rows = engine.execute(sql)
    with SparkBackend(data_dir, session=spark) as backend:
        result = backend.execute(sql)

    def normal(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        return sorted((tuple(_utc(v) for v in row) for row in found), key=repr)

    return (columns, normal(rows)), (result.columns, normal(result.rows))


@pytest.mark.spark
def test_both_engines_read_one_snapshot_of_the_lake(
    tmp_path: Path, data_dir: DataDir, spark: SparkSession
) -> None:
    _ingest(tmp_path, data_dir)
    lake = ParquetLake(data_dir)
    old = lake.files()
    assert len(old) == 3
    # A compaction killed after publishing its merged file, before removing the ones it
    # replaces: the folder holds every event twice, the journal says which files count.
    merged = old[0].with_name(f"{PROMOTED_PREFIX}merged-0.parquet")
    sources = ", ".join(f"'{f}'" for f in old)
    duckdb.connect().execute(f"COPY (SELECT * FROM read_parquet([{sources}])) TO '{merged}'")
    journal = data_dir.staging / "merged" / JOURNAL
    journal.parent.mkdir()
    journal.write_bytes(
        orjson.dumps(
            {
                "publish": [str(merged.relative_to(lake.root))],
                "retire": [str(f.relative_to(lake.root)) for f in old],
            }
        )
    )
    assert len(list(merged.parent.glob("*.parquet"))) == 4
    counts = "SELECT count(*) AS n, count(DISTINCT event_id) AS ids, min(date) AS day"
    duck, spark_side = _both(data_dir, spark, f"{counts} FROM cloudtrail")
    assert duck == spark_side
    assert spark_side[1] == [(9, 9, datetime.date(2026, 11, 1))]
    duck, spark_side = _both(data_dir, spark, "SELECT * FROM cloudtrail")
    assert duck == spark_side and len(spark_side[1]) == 9
    # DuckDB's order: the files' columns, the partition columns, then the src_* intel fields.
    intel = [c.name for c in ENRICHMENT_COLUMNS]
    assert spark_side[0][-2 - len(intel) :] == ["account", "date", *intel]


@pytest.mark.spark
def test_files_written_before_the_promoted_columns_read_the_same(
    tmp_path: Path, data_dir: DataDir, spark: SparkSession
) -> None:
    records = [
        make_record(1, eventName="GetObject", requestParameters={"bucketName": "logs-a"}),
        make_record(2, eventName="GetUser", requestParameters={"userName": "alice"}),
        make_record(3, eventName="ListUsers"),
    ]
    write_log(tmp_path / "logs", records)
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    promoted = ", ".join(c.name for c in PROMOTED_COLUMNS)
    sql = f"SELECT event_id, {promoted} FROM cloudtrail"
    before = _both(data_dir, spark, sql)
    assert before[0] == before[1]
    assert any("logs-a" in row for row in before[0][1])  # the bucket's own column
    # Rewrite each file as one written before the promoted columns: without them, old name.
    con = duckdb.connect()  # its own: the module's default connection may hold a result
    for current in ParquetLake(data_dir).files():
        older = current.with_name(current.name.replace(PROMOTED_PREFIX, "part-"))
        names = con.execute(f"SELECT * FROM '{current}' LIMIT 0").to_arrow_table().column_names
        kept = ", ".join(c for c in names if c not in {p.name for p in PROMOTED_COLUMNS})
        con.execute(f"COPY (SELECT {kept} FROM '{current}') TO '{older}' (FORMAT parquet)")
        current.unlink()
    con.close()
    after = _both(data_dir, spark, sql)
    assert after == before  # both engines fill them from the JSON parts, as ingest did


@pytest.mark.spark
def test_a_file_compacted_away_is_listed_again(
    tmp_path: Path, data_dir: DataDir, spark: SparkSession
) -> None:
    _ingest(tmp_path, data_dir)
    with SparkBackend(data_dir, session=spark) as backend:
        before = ParquetLake(data_dir).files()
        assert ParquetLake(data_dir).compact(duckdb.connect(), min_files=2) == 3
        assert not any(f.exists() for f in before)  # the backend's snapshot is gone
        result = backend.execute("SELECT count(*) FROM cloudtrail")
    assert result.rows == [(9,)]


@pytest.mark.spark
def test_state_tables_are_copied_without_secrets(
    tmp_path: Path, data_dir: DataDir, spark: SparkSession
) -> None:
    _ingest(tmp_path, data_dir, batches=1)
    with StateDB(data_dir.state_db).connect() as state:
        state.execute(
            "CREATE TABLE linked (name VARCHAR, external_id VARCHAR, added TIMESTAMPTZ, "
            "tags VARCHAR[], doc JSON)"
        )
        state.execute(
            "INSERT INTO linked VALUES ('prod', 'very-secret', TIMESTAMPTZ '2026-11-01 10:00:00Z',"
            " ['a', 'b'], '{\"k\": 1}')"
        )
    duck, spark_side = _both(data_dir, spark, "SELECT * FROM linked")
    assert duck == spark_side
    assert spark_side[0] == ["name", "added", "tags", "doc"]  # never external_id
    assert spark_side[1][0][0] == "prod" and spark_side[1][0][2] == ["a", "b"]
    duck, spark_side = _both(data_dir, spark, "SELECT source, position, reason FROM quarantine")
    assert duck == spark_side and len(spark_side[1]) == 1
    with SparkBackend(data_dir, session=spark) as backend, pytest.raises(QueryError, match="nope"):
        backend.execute("SELECT * FROM nope")


@pytest.mark.spark
def test_empty_lake_parameters_and_utc(data_dir: DataDir, spark: SparkSession) -> None:
    duck, spark_side = _both(data_dir, spark, "SELECT * FROM cloudtrail")
    assert duck == spark_side and spark_side[1] == []
    with SparkBackend(data_dir, session=spark) as backend:
        assert backend.execute("SELECT current_timezone()").rows == [("UTC",)]
        found = backend.execute("SELECT ? + 1, upper(?)", [41, "x"])
        assert found.rows == [(42, "X")]


@pytest.mark.spark
def test_query_engine_option(tmp_path: Path, data_dir: DataDir, spark: SparkSession) -> None:
    _ingest(tmp_path, data_dir)
    query = "comp count() as n, min(eventTime) as first by eventName, awsRegion | sort n desc"
    outputs = []
    for engine in ("duckdb", "spark"):
        result = runner.invoke(
            app,
            ["--data-dir", str(data_dir.root), "query", query, "-f", "json", "--engine", engine],
        )
        assert result.exit_code == 0, result.output
        outputs.append(orjson.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert [{**row, "first": row["first"][:19]} for row in outputs[1]] == [
        {"eventName": "ListUsers", "awsRegion": "us-east-1", "n": 9, "first": "2026-11-01T10:00:00"}
    ]
    assert spark.range(3).count() == 3  # the command borrowed the running Spark: still up


def test_engine_option_errors(tmp_path: Path) -> None:
    root = str(tmp_path / "store")
    for args, message in (
        (["--engine", "oracle"], "unknown engine 'oracle'"),
        (["--spark-master", "local[1]"], "--spark-master goes with --engine spark"),
    ):
        result = runner.invoke(app, ["--data-dir", root, "query", "limit 1", *args])
        assert result.exit_code == 2 and message in result.output


def test_missing_pyspark_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if it were not installed
    with pytest.raises(SparkUnavailableError, match=r"pip install 'trailhound\[spark\]'"):
        SparkBackend(DataDir(tmp_path / "store").ensure())
    result = runner.invoke(
        app, ["--data-dir", str(tmp_path / "store"), "query", "limit 1", "--engine", "spark"]
    )
    assert result.exit_code == 2 and "trailhound[spark]" in result.output


def test_spark_is_a_registered_backend() -> None:
    assert BACKENDS.get("spark") is SparkBackend
    declared = {p.name: p.value for p in entry_points(group="trailhound.backends")}
    assert declared["spark"] == "trailhound.store.spark:SparkBackend"
    assert SparkBackend.name == SparkBackend.dialect == "spark"
