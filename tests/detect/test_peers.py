"""Measured against peers: Panther's CloudTrail rule tests and Stratus Red Team detonations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
from detect_support import SHARED, detection, ingest_records

from trailhound.data_dir import DataDir
from trailhound.incidents.alerts import AlertStore
from trailhound.store.state import StateDB

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared test data not found at {SHARED}"),
]
POSITIVE_GOAL = 0.80


def _alerted(tmp_path: Path, records: list[dict[str, Any]]) -> dict[str, list[str]]:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, records)
    detection(data_dir).hunt(None)
    alerts = AlertStore(StateDB(data_dir.state_db))
    return alerts.alerts_for_events([str(r.get("eventID")) for r in records])


def _real_account(record: dict[str, Any]) -> dict[str, Any]:
    """The record with a short numeric fake ``recipientAccountId`` padded to 12 digits.

    Some of Panther's rule tests use IDs such as ``123456789``; ingest quarantines a recipient
    that is not a 12-digit account ID (it names the lake's partition), and this test measures
    detection, not input validation.
    """
    account = record.get("recipientAccountId")
    if isinstance(account, str) and account.isdigit() and len(account) < 12:
        return dict(record, recipientAccountId=account.zfill(12))
    return record


def test_panther_cases(tmp_path: Path) -> None:
    cases = [
        orjson.loads(line)
        for line in (SHARED / "panther/cases.jsonl").read_bytes().splitlines()
        if line.strip()
    ]
    alerted = _alerted(tmp_path, [_real_account(c["log"]) for c in cases])
    outcome: Counter[tuple[bool, bool]] = Counter()
    missed: list[str] = []
    for case in cases:
        hit = str(case["log"].get("eventID")) in alerted
        outcome[(case["expected"], hit)] += 1
        if case["expected"] and not hit:
            missed.append(f"{case['rule_id']}: {case['test_name']}")
    positives = outcome[(True, True)] + outcome[(True, False)]
    negatives = outcome[(False, True)] + outcome[(False, False)]
    share = outcome[(True, True)] / positives
    print(
        f"\nPanther positives alerted: {outcome[(True, True)]}/{positives} ({share:.0%}); "
        f"negatives alerted: {outcome[(False, True)]}/{negatives}"
    )
    print("missed positives:\n  " + "\n  ".join(missed))
    assert share >= POSITIVE_GOAL


def test_stratus_detonations(tmp_path: Path) -> None:
    files = sorted((SHARED / "stratus").glob("*.json"))
    records: list[dict[str, Any]] = []
    technique_of: dict[str, str] = {}
    for file in files:
        for record in orjson.loads(file.read_bytes()):
            records.append(record)
            technique_of[str(record.get("eventID"))] = file.stem
    alerted = _alerted(tmp_path, records)
    covered = {technique_of[e] for e in alerted if e in technique_of}
    silent = sorted({f.stem for f in files} - covered)
    print(f"\nStratus techniques alerted: {len(covered)}/{len(files)}; silent: {silent}")
    assert not silent
