"""The lake on S3 (moto in server mode on 127.0.0.1): written through the real ingest, read by
the real query engine, compacted, expired; every write atomic; two writers' copies read once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from tests.sources.conftest import moto_endpoint  # noqa: F401 - the session's moto server
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.intel.enrichment import rebuild_enrichment
from trailhound.store.duckdb import DuckDBBackend
from trailhound.store.engine import QueryEngine
from trailhound.store.enrichment import EnrichmentFiles
from trailhound.store.lakes import open_lake
from trailhound.store.s3_lake import S3Lake, parse_lake_uri

pytestmark = pytest.mark.aws
BUCKET = "lake-bucket"
PREFIX = "org/prod"


@pytest.fixture
def s3(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # noqa: F811
    """A fresh bucket on the moto server, with the environment pointing pyarrow and boto3 at it."""
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", region_name="us-east-1", endpoint_url=moto_endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client: Any, under: str = "") -> list[str]:
    found = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{under}").get("Contents", [])
    named = (item["Key"].removeprefix(f"{PREFIX}/") for item in found)
    return sorted(k for k in named if not k.endswith("/"))  # not pyarrow's folder markers


def on_s3(root: Path) -> DataDir:
    return DataDir(root, lake_uri=f"s3://{BUCKET}/{PREFIX}").ensure()


def ingest(data_dir: DataDir, logs: Path, first: int, count: int, day: str = "2026-11-01") -> None:
    records = [
        make_record(n, eventTime=f"{day}T10:{n % 60:02d}:00Z") for n in range(first, first + count)
    ]
    write_log(logs, records, name=f"f{first}-{day}")
    with Ingestor(data_dir, options=IngestOptions(compact=False)) as ingestor:
        ingestor.ingest_paths([logs])


def count(data_dir: DataDir) -> tuple[int, int]:
    with QueryEngine(data_dir) as engine:
        _, rows = engine.execute("SELECT count(*), count(DISTINCT event_id) FROM cloudtrail")
    return rows[0]


def test_lake_uri() -> None:
    assert parse_lake_uri("s3://b/p/q/") == ("b", "p/q")
    assert parse_lake_uri("s3://b") == ("b", "")
    for bad in ("/tmp/lake", "s3:///p", "http://b/p", "s3://b/p?x=1"):
        with pytest.raises(StoreError):
            parse_lake_uri(bad)


def test_ingest_and_query_through_s3(tmp_path: Path, s3: Any) -> None:
    data_dir = on_s3(tmp_path / "store")
    ingest(data_dir, tmp_path / "logs", 0, 20)
    written = keys(s3)
    assert written and all(k.startswith("events/date=2026-11-01/account=") for k in written)
    assert not list(data_dir.events.rglob("*.parquet")), "no event file is kept locally"
    assert count(data_dir) == (20, 20)
    ingest(data_dir, tmp_path / "logs", 0, 20)  # the same file again: the ledger knows it
    assert count(data_dir) == (20, 20)
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(data_dir.root), "query", "comp count() as n", "-f", "json"],
        env={"TRAILHOUND_LAKE": f"s3://{BUCKET}/{PREFIX}"},
    )
    assert result.exit_code == 0, result.output
    assert '"n": 20' in result.stdout or '"n":20' in result.stdout


def test_a_dead_writers_leftovers_are_never_read_and_are_cleaned(tmp_path: Path, s3: Any) -> None:
    data_dir = on_s3(tmp_path / "store")
    ingest(data_dir, tmp_path / "logs", 0, 5)
    # A writer killed mid-upload: a torn object in staging, an upload never completed.
    torn = f"{PREFIX}/_staging/part-dead-0.parquet"
    s3.put_object(Bucket=BUCKET, Key=torn, Body=b"PAR1 torn")
    s3.create_multipart_upload(
        Bucket=BUCKET, Key=f"{PREFIX}/events/date=2026-11-01/account=111122223333/part-x.parquet"
    )
    assert count(data_dir) == (5, 5)
    lake = open_lake(data_dir)
    assert isinstance(lake, S3Lake)
    with lake.lock.hold():
        assert lake.recover() == 0  # fresh: maybe another host's upload in progress
        assert lake.recover(now=datetime.now(UTC) + timedelta(hours=2)) == 1
    assert keys(s3, "_staging") == []


def test_two_writers_copies_are_read_once_and_compacted_away(tmp_path: Path, s3: Any) -> None:
    # Two hosts, each with its own state, share the lake and got the same log delivered. Each
    # dedupes against the lake before writing; racing, neither saw the other's file yet. That
    # race is played here by letting the second host write elsewhere and moving its file in.
    first, second = on_s3(tmp_path / "host1"), on_s3(tmp_path / "host2")
    ingest(first, tmp_path / "logs1", 0, 10)
    elsewhere = DataDir(tmp_path / "host2", lake_uri=f"s3://{BUCKET}/racing")
    ingest(elsewhere, tmp_path / "logs2", 5, 10)  # events 5–9 overlap
    for item in s3.list_objects_v2(Bucket=BUCKET, Prefix="racing/events/")["Contents"]:
        key = item["Key"].replace("racing/", f"{PREFIX}/", 1)
        s3.copy_object(Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": item["Key"]})
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    ingest(second, tmp_path / "logs3", 20, 3)
    assert len(keys(s3, "events")) == 3
    lake = open_lake(first)
    assert isinstance(lake, S3Lake)

    def stored() -> int:
        with QueryEngine(first) as engine:
            name = lake.relation(engine.con, dedupe=False)
            [(found,)] = engine.con.execute(f"SELECT count(*) FROM {name}").fetchall()
        return int(found)

    assert stored() == 23  # five events are in the files twice
    assert count(first) == count(second) == (18, 18)  # and read once
    result = CliRunner().invoke(
        app,
        ["--data-dir", str(first.root), "lake", "compact"],
        env={"TRAILHOUND_LAKE": f"s3://{BUCKET}/{PREFIX}"},
    )
    assert result.exit_code == 0, result.output
    assert "Compacted 3 files" in result.output
    assert len(keys(s3, "events")) == 1 and keys(s3, "_staging") == []
    assert stored() == 18  # the merged file holds each event once
    assert count(first) == (18, 18)


@pytest.mark.parametrize("where", ["local", "s3"])
def test_expire_by_retention(tmp_path: Path, where: str, request: pytest.FixtureRequest) -> None:
    env = {}
    if where == "s3":
        request.getfixturevalue("s3")
        env["TRAILHOUND_LAKE"] = f"s3://{BUCKET}/{PREFIX}"
    root = tmp_path / "store"
    data_dir = on_s3(root) if where == "s3" else DataDir(root).ensure()
    today = datetime.now(UTC).date()
    old, recent = today - timedelta(days=401), today - timedelta(days=399)
    ingest(data_dir, tmp_path / "logs1", 0, 4, day=old.isoformat())
    ingest(data_dir, tmp_path / "logs2", 10, 3, day=recent.isoformat())
    assert count(data_dir) == (7, 7)
    command = ["--data-dir", str(root), "lake", "expire", "--older-than", "400d"]
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 0, result.output
    assert "Expired 1 files" in result.output
    assert count(data_dir) == (3, 3)
    assert [p.date for p in open_lake(data_dir).partitions()] == [recent.isoformat()]
    bad = CliRunner().invoke(app, [*command[:-1], "soon"], env=env)
    assert bad.exit_code == 2 and "bad duration" in bad.output


def test_events_on_s3_get_the_intel_enrichment(tmp_path: Path, s3: Any) -> None:
    # The enrichment table stays in the data directory; the commit's after-write step and a
    # rebuild read the batch's and the lake's addresses wherever the events live.
    data_dir = on_s3(tmp_path / "store")
    records = [
        make_record(n, sourceIPAddress=a, eventTime=f"2026-11-0{1 + n}T10:00:00Z")
        for n, a in enumerate(("185.220.101.1", "8.8.8.8", "10.1.2.3"))
    ]
    write_log(tmp_path / "logs", records, name="intel")
    with Ingestor(data_dir, options=IngestOptions(compact=False)) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    query = "SELECT source_ip_address, src_country, src_is_tor FROM cloudtrail ORDER BY 1"
    expected = [("10.1.2.3", None, False), ("185.220.101.1", "DE", True), ("8.8.8.8", "US", False)]
    with QueryEngine(data_dir) as engine:
        assert engine.execute(query)[1] == expected
    EnrichmentFiles(data_dir).root.joinpath("CURRENT").unlink()  # as an older release left it
    assert rebuild_enrichment(data_dir).addresses == 3
    with QueryEngine(data_dir) as engine:
        assert engine.execute(query)[1] == expected
    lake = open_lake(data_dir)
    days = lake.partitions_between(date(2026, 11, 2), date(2026, 11, 5))
    assert [d for d, _ in days] == ["2026-11-02", "2026-11-03"]
    with DuckDBBackend.open(data_dir, days) as backend:
        found = backend.execute("SELECT source_ip_address, src_asn FROM cloudtrail ORDER BY 1")
    assert found.rows == [("10.1.2.3", None), ("8.8.8.8", 15169)]
