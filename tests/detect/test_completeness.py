"""The completeness ledger's checks as a detector: findings become ``ledger-*`` alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from detect_support import detection
from tests.sources.test_digests import Trail, hour_start, public_key_list, rsa_key

from trailhound.data_dir import DataDir
from trailhound.detect.base import DetectorContext
from trailhound.detect.completeness import ALERTING, CompletenessDetector, finding_matches
from trailhound.detect.ledger import Finding, FindingKind, save_public_keys
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.sources.digests import load_public_keys
from trailhound.store.duckdb import DuckDBBackend
from trailhound.store.state import StateDB


def test_every_alerting_kind_is_a_ledger_finding_kind_with_a_rule() -> None:
    assert set(ALERTING) <= {k.value for k in FindingKind}
    infos = CompletenessDetector(DetectorContext(DataDir(Path("/nowhere")))).infos()
    assert set(infos) == {f"ledger-{k}" for k in ALERTING}
    assert {i.source for i in infos.values()} == {"ledger"}


def test_findings_become_matches_with_stable_ids() -> None:
    when = datetime(2026, 8, 1, 10, tzinfo=UTC)
    findings = [
        Finding(
            FindingKind.BROKEN_CHAIN, "111111111111", "us-east-1", "s3://b/d.json.gz", "x", when
        ),
        Finding(FindingKind.SILENT, "111111111111", "eu-west-1", "", "quiet", None),
        Finding(FindingKind.MISSING, "111111111111", "us-east-1", "s3://b/l.json.gz", "gone", when),
    ]
    now = when + timedelta(hours=5)
    first = finding_matches(findings, now)
    assert [(m.rule_id, m.resource) for m in first] == [
        ("ledger-broken-chain", "s3://b/d.json.gz"),
        ("ledger-silent", "111111111111/eu-west-1"),
    ]  # a missing file is reported, not alerted
    assert first[1].event_time == now
    assert finding_matches(findings, now) == first  # a re-run names the same "events"


def test_a_hunt_checks_the_digests_the_data_directory_keeps(data_dir: DataDir) -> None:
    trail = Trail(data_dir.root / "digests")  # where the collector keeps them
    start = hour_start()
    trail.digest(start, [trail.log_file(start)])
    trail.digest(start + timedelta(hours=1), [], previous_hash="0" * 64)
    trail.digest(start + timedelta(hours=2), [], signer=rsa_key("other"))
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([data_dir.root / "digests"])
    detector = CompletenessDetector(DetectorContext(data_dir))
    with DuckDBBackend.open(data_dir) as backend:
        assert detector.hunt(backend, None, only={"some-rule"}) == []
        unsigned = {m.rule_id for m in detector.hunt(backend, None)}
    assert unsigned == {"ledger-broken-chain"}  # no public keys: signatures unchecked
    save_public_keys(data_dir, load_public_keys(public_key_list(trail.key)))
    alerts = detection(data_dir).hunt(None)
    ledger = sorted(a["rule_id"] for a in alerts if a["source"] == "ledger")
    assert ledger == ["ledger-bad-signature", "ledger-broken-chain"]
    assert detection(data_dir).hunt(None) == []  # a second hunt grows nothing
    stored = AlertStore(StateDB(data_dir.state_db)).fired_rules()
    assert stored["ledger-broken-chain"] == 1


def test_without_kept_digests_a_hunt_has_nothing_to_check(data_dir: DataDir) -> None:
    detector = CompletenessDetector(DetectorContext(data_dir))
    with DuckDBBackend.open(data_dir) as backend:
        assert detector.hunt(backend, timedelta(days=1)) == []
    assert detector.finish() == []
