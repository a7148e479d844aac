"""The Spark engine over a lake on S3 (moto in server mode on 127.0.0.1, a local Spark session):
Spark's tasks read the files through pyarrow, and answer as the DuckDB engine does."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from tests.sources.conftest import moto_endpoint  # noqa: F401 - the session's moto server
from tests.store.test_s3_lake import BUCKET, PREFIX, ingest, on_s3, s3  # noqa: F401
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.store.engine import QueryEngine
from trailhound.store.spark import SparkBackend
from trailhound.store.spark_s3 import FILES_PER_TASK, S3LakeReader

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = [pytest.mark.aws, pytest.mark.spark]
LAKE = f"s3://{BUCKET}/{PREFIX}"


def _rows(found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    def utc(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC)
        return value

    return sorted((tuple(utc(v) for v in row) for row in found), key=repr)


def test_spark_reads_an_s3_lake_as_duckdb_does(
    tmp_path: Path,
    s3: Any,  # noqa: F811 - the fixture
    spark: SparkSession,
) -> None:
    data_dir = on_s3(tmp_path / "store")
    ingest(data_dir, tmp_path / "logs1", 0, 12, day="2026-11-01")
    ingest(data_dir, tmp_path / "logs2", 12, 7, day="2026-11-02")
    # A second writer stored some of the same events in its own file (two collectors racing):
    # both engines read each event once, its first stored copy.
    racing = DataDir(tmp_path / "racer", lake_uri=f"s3://{BUCKET}/racing").ensure()
    ingest(racing, tmp_path / "logs3", 5, 4, day="2026-11-01")
    for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="racing/events/")["Contents"]:
        key = item["Key"].replace("racing/", f"{PREFIX}/", 1)
        s3.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": item["Key"]})
    queries = [
        "SELECT * FROM cloudtrail",
        "SELECT date, account, count(*) AS n, count(DISTINCT event_id) AS ids "
        "FROM cloudtrail GROUP BY ALL",
    ]
    with QueryEngine(data_dir) as engine:
        duck = [engine.execute(q) for q in queries]
    with SparkBackend(data_dir, session=spark) as backend:
        found = [backend.execute(q) for q in queries]
    for (columns, rows), result in zip(duck, found, strict=True):
        assert result.columns == columns
        assert _rows(result.rows) == _rows(rows)
    assert sum(n for *_, n, _ in found[1].rows) == 19  # 19 events, 4 of them stored twice
    days = {datetime.date(2026, 11, 1), datetime.date(2026, 11, 2)}
    assert {d for d, *_ in found[1].rows} == days


def test_tasks_read_a_few_files_each() -> None:
    files = [f"b/p/events/date=2026-11-01/account=1/f{n}.parquet" for n in range(10)]
    tasks = S3LakeReader(LAKE, files).partitions()
    assert [len(t.files) for t in tasks] == [FILES_PER_TASK, FILES_PER_TASK, 2]
    assert [f for t in tasks for f in t.files] == files


def test_query_engine_spark_on_an_s3_lake(
    tmp_path: Path,
    s3: Any,  # noqa: F811 - the fixture
    spark: SparkSession,
) -> None:
    data_dir = on_s3(tmp_path / "store")
    ingest(data_dir, tmp_path / "logs", 0, 9)
    result = CliRunner().invoke(
        app,
        [
            "--data-dir",
            str(data_dir.root),
            "query",
            "--engine",
            "spark",
            "comp count() as n",
            "-f",
            "json",
        ],
        env={"TRAILHOUND_LAKE": LAKE},
    )
    assert result.exit_code == 0, result.output
    assert '"n": 9' in result.stdout or '"n":9' in result.stdout
