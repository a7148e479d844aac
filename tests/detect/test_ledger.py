"""The ledger over real ingest records: CloudTrail-built log files and signed digests."""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from tests.conftest import make_record
from tests.sources.test_digests import Trail, hour_start, public_key_list, rsa_key, three_hours
from typer.testing import CliRunner, Result

from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.detect.completeness import CompletenessDetector, finding_matches
from trailhound.detect.detection import Detection
from trailhound.detect.ledger import (
    Finding,
    FindingKind,
    LedgerReport,
    check,
    public_keys_file,
    save_public_keys,
    saved_public_keys,
)
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.sources.digests import DigestError, find_digest_files, load_public_keys
from trailhound.store.state import StateDB


def raise_ledger_alerts(data_dir: DataDir, findings: list[Finding]) -> int:
    """The ledger command's way: findings → the completeness detector's matches → alerts."""
    detection = Detection(data_dir, AlertStore.for_data_dir(data_dir))
    detector = detection.detector(CompletenessDetector.name)
    return len(detection.raise_matches(detector, finding_matches(findings)))


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


def _as_collected(data_dir: DataDir, bucket: Path) -> None:
    """Record the files ingested from ``bucket`` as the collector records what it fetches."""
    with StateDB(data_dir.state_db).connect() as con:
        con.execute(
            "UPDATE log_files_seen SET uri = 's3://trail-bucket/' || substr(uri, ?)",
            [len(str(bucket)) + 2],
        )


def test_files_fetched_long_after_their_digest_are_late(
    data_dir: DataDir, bucket: Path, keys: list[object]
) -> None:
    _, files = three_hours(Trail(bucket), hour_start())
    ingest(data_dir, bucket)
    last_end = hour_start() + timedelta(hours=3)
    # Ingested (just now) more than this after the first two digests ended, not the third.
    late_after = datetime.now(UTC) - last_end + timedelta(minutes=30)
    backfill = run(data_dir, bucket, keys, late_after=late_after)
    assert backfill.clean  # read from a folder: no delivery time to be late against
    _as_collected(data_dir, bucket)
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
    assert raise_ledger_alerts(data_dir, report.findings) == 2
    assert raise_ledger_alerts(data_dir, report.findings) == 0  # a re-run grows no alert
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
    # Read from a folder: silence is measured up to the newest file read, not to now.
    later = run(data_dir, bucket, keys, silence_threshold=timedelta(hours=2))
    assert [(f.kind, f.region) for f in later.findings] == [(FindingKind.SILENT, "eu-west-1")]
    assert raise_ledger_alerts(data_dir, report.findings) == 1
    _as_collected(data_dir, bucket)  # fed by the collector: up to now
    collected = run(data_dir, bucket, keys, silence_threshold=timedelta(hours=2))
    assert {f.region for f in collected.findings} == {"us-east-1", "eu-west-1"}


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


def _ledger(data_dir: DataDir, *args: str) -> Result:
    """``trailhound --data-dir DIR ledger ARGS`` through the real command line."""
    return CliRunner().invoke(app, ["--data-dir", str(data_dir.root), "ledger", *args])


def test_the_command_prints_and_exits_by_findings(
    data_dir: DataDir, bucket: Path, tmp_path: Path
) -> None:
    _, files = three_hours(Trail(bucket), hour_start())
    ingest(data_dir, bucket)
    key_file = tmp_path / "keys.json"
    key_file.write_bytes(public_key_list(rsa_key()))
    args = ["--digests", str(bucket), "--public-keys", str(key_file), "--late-after", "off"]
    clean = _ledger(data_dir, *args, "--silence", "off")
    assert clean.exit_code == 0, clean.output
    assert "3 digests (3 valid)" in clean.output
    files[2][0][0].unlink()
    with StateDB(data_dir.state_db).connect() as con:  # forget it was ever ingested
        con.execute("DELETE FROM ingested_files WHERE uri = ?", [str(files[2][0][0])])
        con.execute("DELETE FROM log_files_seen WHERE uri = ?", [str(files[2][0][0])])
    found = _ledger(data_dir, *args, "--silence", "off", "--format", "json")
    assert found.exit_code == 1, found.output
    (finding,) = orjson.loads(found.stdout)
    assert finding["kind"] == "missing" and finding["uri"].endswith(files[2][0][0].name)
    bad = _ledger(data_dir, *args, "--since", "soon")
    assert bad.exit_code == 2


# Forged evidence ------------------------------------------------------------------------------
def _invoke(data_dir: DataDir, *args: str) -> Result:
    return _ledger(data_dir, *args, "--late-after", "off", "--silence", "off")


def _kinds(result: Result) -> list[str]:
    return sorted(f["kind"] for f in orjson.loads(result.stdout))


def _hide_delete_trail(trail: Trail, start: datetime) -> tuple[Path, bytes]:
    """The issue's scenario: a DeleteTrail in the newest hour, then a forger at work.

    The forger removes the event from the log file and writes a digest listing the doctored
    file's hash, chained to the previous digest as CloudTrail would chain it, but unsigned: they
    have no private key. Returns the genuine digest's path and the forged digest's bytes.
    """
    three_hours(trail, start - timedelta(hours=3))
    path, key, _ = trail.log_file(start + timedelta(minutes=5))
    content = orjson.loads(gzip.decompress(path.read_bytes()))
    when = f"{start:%Y-%m-%dT%H}:05:00Z"
    content["Records"].append(make_record(999, eventName="DeleteTrail", eventTime=when))
    original = orjson.dumps(content)
    path.write_bytes(gzip.compress(original))
    previous = trail.previous
    genuine = trail.digest(start, [(path, key, hashlib.sha256(original).hexdigest())])
    content["Records"] = [r for r in content["Records"] if r["eventName"] != "DeleteTrail"]
    doctored = orjson.dumps(content)
    path.write_bytes(gzip.compress(doctored))
    forger = Trail(trail.root.parent / "forger", key=trail.key, previous=previous)
    forged = forger.digest(start, [(path, key, hashlib.sha256(doctored).hexdigest())], sidecar="")
    return genuine, forged.read_bytes()


def test_a_removed_delete_trail_with_a_forged_digest_is_never_clean(
    data_dir: DataDir, bucket: Path, tmp_path: Path
) -> None:
    trail = Trail(bucket)
    genuine, forged = _hide_delete_trail(trail, hour_start())
    genuine_bytes = genuine.read_bytes()
    signature = genuine.with_name(genuine.name + ".signature")
    genuine_signature = signature.read_text()
    key_file = tmp_path / "keys.json"
    key_file.write_bytes(public_key_list(trail.key))
    # The doctored log file: the lake has no DeleteTrail. Only the log folder is read, so that
    # the ledger knows the digests only from --digests (ingest keeps a copy of those it meets).
    ingest(data_dir, bucket / "AWSLogs" / trail.account / "CloudTrail")
    assert not (data_dir.root / "digests").exists()
    args = ("--digests", str(bucket))

    # The forged digest replaces the genuine one, whose signature goes with it.
    genuine.write_bytes(forged)
    signature.unlink()
    unchecked = _invoke(data_dir, *args)
    assert unchecked.exit_code == 0, unchecked.output  # no keys: nothing can tell, but it says so
    assert "No findings" not in unchecked.output
    assert "signatures were NOT checked" in unchecked.output
    strict = _invoke(data_dir, *args, "--strict")
    assert strict.exit_code == 1 and "NOT checked" in strict.output
    found = _invoke(data_dir, *args, "--public-keys", str(key_file), "--format", "json")
    assert found.exit_code == 1 and _kinds(found) == ["unsigned-digest"]
    assert "1 public key(s) saved" in found.stderr

    # The genuine signature left beside the forged digest, or a made-up one: the saved keys tell.
    for left in (genuine_signature, "ab" * 256):
        signature.write_text(left)
        result = _invoke(data_dir, *args, "--format", "json")
        assert result.exit_code == 1 and _kinds(result) == ["bad-signature"], result.output

    # The genuine digest stays; an unsigned forged copy whose path sorts first shadows it.
    genuine.write_bytes(genuine_bytes)
    signature.write_text(genuine_signature)
    shadow = bucket / "AWSLogs" / "0" / genuine.name
    shadow.parent.mkdir(parents=True)
    shadow.write_bytes(forged)
    assert next(iter(find_digest_files([bucket]))) == shadow
    result = _invoke(data_dir, *args, "--format", "json")
    assert result.exit_code == 1 and _kinds(result) == ["conflicting-digest", "modified"]
    public_keys_file(data_dir).unlink()
    result = _invoke(data_dir, *args, "--format", "json")
    assert result.exit_code == 1 and "conflicting-digest" in _kinds(result)


def test_unsigned_digests_are_findings_only_when_keys_are_at_hand(
    data_dir: DataDir, bucket: Path, keys: list[object]
) -> None:
    digests, _ = three_hours(Trail(bucket), hour_start())
    digests[1].with_name(digests[1].name + ".signature").unlink()
    ingest(data_dir, bucket)
    report = run(data_dir, bucket, keys)
    assert [(f.kind, f.uri.rsplit("/", 1)[-1]) for f in report.findings] == [
        (FindingKind.UNSIGNED, digests[1].name)
    ]
    assert report.signatures == {"valid": 2, "unsigned": 1} and report.signatures_checked
    bare = run(data_dir, bucket, [])
    assert bare.findings == [] and not bare.signatures_checked
    assert raise_ledger_alerts(data_dir, report.findings) == 1


def test_public_keys_are_saved_merged_and_used_later(data_dir: DataDir) -> None:
    assert saved_public_keys(data_dir) == []
    first = load_public_keys(public_key_list(rsa_key()))
    second = load_public_keys(public_key_list(rsa_key(), rsa_key("other")))
    assert save_public_keys(data_dir, first) == 1
    assert save_public_keys(data_dir, second) == 1  # only "other" is new
    assert save_public_keys(data_dir, second) == 0
    saved = saved_public_keys(data_dir)
    assert sorted(k.fingerprint for k in saved) == sorted(k.fingerprint for k in second)
    # The file is a list-public-keys output itself.
    assert load_public_keys(public_keys_file(data_dir).read_bytes()) == saved
    public_keys_file(data_dir).write_text("not json")
    with pytest.raises(DigestError, match=r"public-keys\.json"):
        saved_public_keys(data_dir)


def test_ingest_keeps_the_digests_it_meets_so_a_later_forgery_conflicts(
    data_dir: DataDir, bucket: Path
) -> None:
    trail = Trail(bucket)
    genuine, forged = _hide_delete_trail(trail, hour_start())
    ingest(data_dir, bucket)  # the genuine digest is met, skipped as a log, and kept
    kept = sorted((data_dir.root / "digests" / "local").iterdir())
    assert sum(p.name.endswith(".json.gz") for p in kept) == 4
    assert sum(p.name.endswith(".meta.json") for p in kept) == 4  # with their signatures
    ingest(data_dir, bucket)  # kept once, whatever the number of runs
    assert sorted((data_dir.root / "digests" / "local").iterdir()) == kept
    genuine.write_bytes(forged)  # the forger replaces the digest in the bucket afterwards
    genuine.with_name(genuine.name + ".signature").unlink()
    result = _invoke(data_dir, "--digests", str(bucket), "--format", "json")
    assert result.exit_code == 1
    assert _kinds(result) == ["conflicting-digest", "modified"]  # even without public keys


def test_the_demo_reports_only_its_planted_tampering(tmp_path: Path, data_dir: DataDir) -> None:
    """Ingest the demo folder, run the plain command: nothing but the one file the demo
    rewrites on purpose; its digests verify with the key it publishes."""
    from trailhound_demo import generate_demo

    logs = tmp_path / "logs"
    generate_demo(logs, events=2_000, seed=7)
    ingest(data_dir, logs)
    plain = _ledger(data_dir, "--format", "json")  # lateness and silence as by default
    assert plain.exit_code == 1 and _kinds(plain) == ["modified"], plain.output
    checked = _ledger(data_dir, "--public-keys", str(logs / "cloudtrail-public-keys.txt"))
    assert checked.exit_code == 1
    assert "3 digests (3 valid)" in checked.stdout
