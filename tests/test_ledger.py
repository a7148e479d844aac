"""The ledger over real ingest records: CloudTrail-built log files and signed digests."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from tests.sources.test_digests import Trail, hour_start, public_key_list, rsa_key, three_hours
from trailhound.cli_ledger import ledger
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.ledger import (
    FindingKind,
    LedgerReport,
    check,
    raise_ledger_alerts,
    record_log_file,
    sync_from_ingest,
)
from trailhound.sources.digests import load_public_keys
from trailhound.store.state import StateDB


def ingest(data_dir: DataDir, folder: Path) -> None:
    """Ingest a folder with the real ingestor (digest files are skipped by it)."""
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([folder])
    assert summary.quarantined == 0


def kinds(report: LedgerReport) -> list[tuple[str, str]]:
    """(kind, file name) of every finding."""
    return [(f.kind.value, f.uri.rsplit("/", 1)[-1]) for f in report.findings]


@pytest.fixture
def bucket(tmp_path: Path) -> Path:
    """Where the trail delivers, in S3 layout."""
    return tmp_path / "bucket"


@pytest.fixture
def keys() -> list[object]:
    """The trail's public key, as a saved ``list-public-keys`` output would give it."""
    return list(load_public_keys(public_key_list(rsa_key("other"), rsa_key())))


def run(data_dir: DataDir, bucket: Path, keys: list[object], **options: object) -> LedgerReport:
    """``check`` with lateness and silence off unless asked for."""
    settings: dict[str, object] = {"late_after": None, "silence_threshold": None}
    settings.update(options)
    return check(data_dir, [bucket], public_keys=keys, **settings)  # type: ignore[arg-type]


def test_a_complete_untampered_delivery_is_clean(
    data_dir: DataDir, bucket: Path, keys: list[object]
) -> None:
    three_hours(Trail(bucket), hour_start())
    ingest(data_dir, bucket)
    report = run(data_dir, bucket, keys)
    assert report.findings == []
    assert (report.digests, report.files_listed, report.files_seen) == (3, 6, 6)
    assert report.signatures == {"valid": 3}
    with StateDB(data_dir.state_db).connect() as con:
        hours = con.execute("SELECT count(DISTINCT hour), count(sha256) FROM log_files_seen")
        assert hours.fetchone() == (3, 6)
        statuses = con.execute("SELECT status, count(*) FROM digest_checks GROUP BY ALL")
        assert statuses.fetchall() == [("valid", 3)]


def test_modified_missing_and_extra_files(
    data_dir: DataDir, bucket: Path, keys: list[object]
) -> None:
    trail = Trail(bucket)
    start = hour_start()
    _, files = three_hours(trail, start)
    modified, missing = files[0][0][0], files[1][1][0]
    content = orjson.loads(gzip.decompress(modified.read_bytes()))
    content["Records"][0]["sourceIPAddress"] = "203.0.113.66"  # the attacker's address, removed
    modified.write_bytes(gzip.compress(orjson.dumps(content)))
    missing.unlink()
    extra, _, _ = trail.log_file(start + timedelta(hours=1, minutes=20))
    outside, _, _ = trail.log_file(start + timedelta(hours=5))  # after the last digest: unknown
    ingest(data_dir, bucket)
    report = run(data_dir, bucket, keys)
    assert kinds(report) == [
        ("missing", missing.name),
        ("modified", modified.name),
        ("extra", extra.name),
    ]
    assert report.findings[1].uri == str(modified)
    assert outside.name not in str(report.findings)
    assert report.counts["missing"] == 1 and report.counts["late"] == 0


def test_files_ingested_long_after_their_digest_are_late(
    data_dir: DataDir, bucket: Path, keys: list[object]
) -> None:
    _, files = three_hours(Trail(bucket), hour_start())
    ingest(data_dir, bucket)
    last_end = hour_start() + timedelta(hours=3)
    # Ingested (just now) more than this after the first two digests ended, not the third.
    late_after = datetime.now(UTC) - last_end + timedelta(minutes=30)
    report = run(data_dir, bucket, keys, late_after=late_after)
    expected = sorted(p.name for batch in files[:2] for p, _, _ in batch)
    assert sorted(name for kind, name in kinds(report) if kind == "late") == expected
    assert {kind for kind, _ in kinds(report)} == {"late"}


def test_broken_chain_and_bad_signature_are_reported_and_alerted(
    data_dir: DataDir, bucket: Path, keys: list[object]
) -> None:
    trail = Trail(bucket)
    start = hour_start()
    trail.digest(start, [trail.log_file(start)])
    trail.digest(start + timedelta(hours=1), [], previous_hash="0" * 64)
    trail.digest(start + timedelta(hours=2), [])
    trail.digest(start + timedelta(hours=3), [], signer=rsa_key("other"))
    ingest(data_dir, bucket)
    report = run(data_dir, bucket, keys)
    assert [(f.kind, f.uri.rsplit("_", 1)[-1]) for f in report.findings] == [
        (FindingKind.BROKEN_CHAIN, f"{start + timedelta(hours=2):%Y%m%dT%H%M%SZ}.json.gz"),
        (FindingKind.BAD_SIGNATURE, f"{start + timedelta(hours=4):%Y%m%dT%H%M%SZ}.json.gz"),
    ]
    state = StateDB(data_dir.state_db)
    assert raise_ledger_alerts(state, report.findings) == 2
    assert raise_ledger_alerts(state, report.findings) == 0  # a re-run grows no alert
    with state.connect() as con:
        rows = con.execute("SELECT rule_id, severity, source FROM alerts ORDER BY 1").fetchall()
        statuses = con.execute("SELECT status FROM digest_checks ORDER BY digest_end_time")
        assert [s for (s,) in statuses.fetchall()] == [
            "valid", "broken chain", "valid", "bad signature",
        ]  # fmt: skip
    assert rows == [
        ("ledger-bad-signature", "high", "ledger"),
        ("ledger-broken-chain", "high", "ledger"),
    ]


def test_wrong_key_and_missing_keys(data_dir: DataDir, bucket: Path) -> None:
    three_hours(Trail(bucket), hour_start())
    ingest(data_dir, bucket)
    wrong = load_public_keys(public_key_list(rsa_key("other")))
    report = run(data_dir, bucket, list(wrong))
    assert {f.kind for f in report.findings} == {FindingKind.UNVERIFIED}
    assert "no public key with fingerprint" in report.findings[0].detail
    assert report.signatures == {"no matching public key": 3}
    assert run(data_dir, bucket, []).signatures == {"no public keys": 3}


def test_silent_account_regions(data_dir: DataDir, bucket: Path, keys: list[object]) -> None:
    start = hour_start()
    three_hours(Trail(bucket), start)
    Trail(bucket, region="eu-west-1").log_file(start + timedelta(minutes=10))
    ingest(data_dir, bucket)
    report = run(
        data_dir, bucket, keys, silence_threshold=timedelta(hours=2), now=start + timedelta(hours=3)
    )
    assert [(f.kind, f.region) for f in report.findings] == [(FindingKind.SILENT, "eu-west-1")]
    later = run(data_dir, bucket, keys, silence_threshold=timedelta(hours=2))
    assert {f.region for f in later.findings} == {"us-east-1", "eu-west-1"}
    assert raise_ledger_alerts(StateDB(data_dir.state_db), report.findings) == 1


def test_account_and_since_filters(data_dir: DataDir, bucket: Path, keys: list[object]) -> None:
    start = hour_start()
    _, files = three_hours(Trail(bucket), start)
    three_hours(Trail(bucket, account="444455556666"), start)
    files[0][0][0].unlink()
    ingest(data_dir, bucket)
    assert run(data_dir, bucket, keys, account="444455556666").findings == []
    recent = run(data_dir, bucket, keys, since=start + timedelta(hours=1, minutes=30))
    assert recent.findings == [] and recent.digests == 4
    assert kinds(run(data_dir, bucket, keys)) == [("missing", files[0][0][0].name)]


def test_record_log_file_and_sync(data_dir: DataDir, tmp_path: Path) -> None:
    state = StateDB(data_dir.state_db)
    folder = "s3://b/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01"
    uri = f"{folder}/111122223333_CloudTrail_us-east-1_20261101T1005Z_ab.json.gz"
    assert record_log_file(state, uri, size=10, sha256="ab" * 32)
    assert not record_log_file(state, "s3://b/events.jsonl", size=10)
    assert sync_from_ingest(state) == 0
    with state.connect() as con:
        row = con.execute("SELECT account, region, hour, sha256 FROM log_files_seen").fetchone()
    assert row == ("111122223333", "us-east-1", datetime(2026, 11, 1, 10, tzinfo=UTC), "ab" * 32)


def test_the_command_prints_and_exits_by_findings(
    data_dir: DataDir, bucket: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import trailhound.cli

    _, files = three_hours(Trail(bucket), hour_start())
    ingest(data_dir, bucket)
    key_file = tmp_path / "keys.json"
    key_file.write_bytes(public_key_list(rsa_key()))
    monkeypatch.setattr(trailhound.cli._state, "data_dir", data_dir)
    app = typer.Typer()
    app.command()(ledger)
    args = ["--digests", str(bucket), "--public-keys", str(key_file), "--late-after", "off"]
    clean = CliRunner().invoke(app, [*args, "--silence", "off"])
    assert clean.exit_code == 0, clean.output
    assert "3 digests (3 valid)" in clean.output
    files[2][0][0].unlink()
    with StateDB(data_dir.state_db).connect() as con:  # forget it was ever ingested
        con.execute("DELETE FROM ingested_files WHERE uri = ?", [str(files[2][0][0])])
        con.execute("DELETE FROM log_files_seen WHERE uri = ?", [str(files[2][0][0])])
    found = CliRunner().invoke(app, [*args, "--silence", "off", "--format", "json"])
    assert found.exit_code == 1, found.output
    (finding,) = orjson.loads(found.stdout)
    assert finding["kind"] == "missing" and finding["uri"].endswith(files[2][0][0].name)
    bad = CliRunner().invoke(app, [*args, "--since", "soon"])
    assert bad.exit_code == 2
