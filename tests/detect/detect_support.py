"""Helpers of the detection tests: complete test events, ingest them, evaluate rules."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import orjson
import pytest

from trailhound.data_dir import DataDir
from trailhound.detect.base import RuleSet
from trailhound.detect.detection import Detection
from trailhound.detect.engine import load_rules, run_rules
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.model import Match
from trailhound.store.duckdb import DuckDBBackend

SHARED = Path(__file__).resolve().parents[2] / "../shared/data"
ACCOUNT = "111111111111"


def complete_event(event: dict[str, Any], event_id: str, minute: int = 0) -> dict[str, Any]:
    """A test event with the fields every CloudTrail record has, where it omits them."""
    record = copy.deepcopy(event)
    record.setdefault("eventVersion", "1.09")
    record.setdefault("eventTime", f"2026-08-01T10:{minute % 60:02d}:00Z")
    record.setdefault("eventID", event_id)
    record.setdefault("awsRegion", "us-east-1")
    record.setdefault("eventType", "AwsApiCall")
    record.setdefault("recipientAccountId", ACCOUNT)
    record.setdefault("sourceIPAddress", "198.51.100.7")
    record.setdefault("userAgent", "aws-cli/2.15.0")
    identity = record.setdefault("userIdentity", {})
    identity.setdefault("type", "IAMUser")
    identity.setdefault("accountId", record["recipientAccountId"])
    if identity["type"] == "IAMUser":
        identity.setdefault("arn", f"arn:aws:iam::{identity['accountId']}:user/tester")
    return record


def detection(data_dir: DataDir, **options: Any) -> Detection:
    """The data directory's detectors, raising alerts in its alert store (as the CLI wires)."""
    return Detection(data_dir, AlertStore.for_data_dir(data_dir), **options)


def ingest_records(
    data_dir: DataDir, records: Iterable[dict[str, Any]], detection: Any = None
) -> None:
    """Ingest records through the real ingest path."""
    with Ingestor(data_dir, detection=detection) as ingestor:
        ingestor.ingest_bytes(orjson.dumps({"Records": list(records)}), "test")


def lake_matches(
    data_dir: DataDir, ruleset: RuleSet, placeholders: dict[str, list[str]]
) -> list[Match]:
    """Every match of the rules over the whole lake."""
    with DuckDBBackend.open(data_dir) as backend:
        return run_rules(backend, "cloudtrail", ruleset, placeholders)


@dataclass
class RulePackRun:
    """The built-in pack's embedded test events, ingested and evaluated once."""

    ruleset: RuleSet
    cases: list[tuple[str, str, bool, str]]  # rule id, file, expected, event id
    fired: dict[str, set[str]]  # event id → rule ids
    data_dir: DataDir  # the lake holding the test events
    records: list[dict[str, Any]]  # the test events as ingested


@pytest.fixture(scope="session")
def rule_pack_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RulePackRun]:
    """Ingest every rule's test events into one data dir and run all rules in one pass."""
    ruleset = load_rules(keep_source=True)
    data_dir = DataDir(tmp_path_factory.mktemp("rulepack"))
    records: list[dict[str, Any]] = []
    cases: list[tuple[str, str, bool, str]] = []
    for rule in ruleset.rules:
        for expected, key in ((True, "match"), (False, "no_match")):
            for n, event in enumerate(rule.tests.get(key, [])):
                event_id = f"{rule.id}-{key}-{n}"
                records.append(complete_event(event, event_id, len(records)))
                cases.append((rule.id, Path(rule.path).name, expected, event_id))
    ingest_records(data_dir, records)
    # Rules that only feed a correlation must match their own test events too.
    every_rule = RuleSet(rules=[replace(r, generate=True) for r in ruleset.rules])
    matches = lake_matches(data_dir, every_rule, {"org_accounts": [ACCOUNT]})
    fired: dict[str, set[str]] = {}
    for match in matches:
        fired.setdefault(match.event_id, set()).add(match.rule_id)
    yield RulePackRun(ruleset, cases, fired, data_dir, records)
