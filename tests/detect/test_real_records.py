"""Every built-in rule names the real record it fires on (``real_positive``), or says it has none.

The records are the shared material (Stratus detonations, Panther's test events, AWS's own
examples), read as they are: the rule must match the original record, not only the shortened
copy embedded in its file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from detect_support import ingest_records, lake_matches

from trailhound.data_dir import DataDir
from trailhound.detect.base import RuleSet
from trailhound.detect.engine import BUILTIN_RULES, load_rules

NONE = "none"


def _declarations() -> dict[str, Any]:
    """``real_positive`` of every built-in single-event rule file, by rule ID."""
    found: dict[str, Any] = {}
    for path in sorted(BUILTIN_RULES.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "correlation" not in document:
            found[str(document["id"])] = document.get("real_positive")
    return found


DECLARED = _declarations()


def _record(shared: Path, reference: str) -> dict[str, Any]:
    """The record a ``file#eventID`` reference names."""
    name, _, event_id = reference.partition("#")
    data = (shared / name).read_bytes()
    if name.endswith(".jsonl"):
        lines = [orjson.loads(line) for line in data.splitlines() if line.strip()]
        records = [line.get("log", line) for line in lines]
    else:
        records = orjson.loads(data)
    for record in records:
        if str(record.get("eventID")) == event_id:
            return dict(record)
    raise AssertionError(f"{reference}: no such record")


def test_every_rule_declares_its_real_positive() -> None:
    for rule_id, value in DECLARED.items():
        if value == NONE:
            continue
        assert isinstance(value, list) and value, f"{rule_id}: real_positive is a list or none"
        for reference in value:
            assert "#" in str(reference), f"{rule_id}: {reference} is not file#eventID"


@pytest.mark.shared
def test_rules_fire_on_their_real_records(shared_data: Path, tmp_path: Path) -> None:
    wanted = {
        rule_id: [str(r) for r in refs]
        for rule_id, refs in DECLARED.items()
        if isinstance(refs, list)
    }
    records: dict[str, dict[str, Any]] = {}
    for refs in wanted.values():
        for reference in refs:
            records.setdefault(reference, _record(shared_data, reference))
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, records.values())
    pack = load_rules()
    every = RuleSet(rules=[replace(r, generate=True) for r in pack.rules if r.id in wanted])
    # As the detector would on this data: the organization is the accounts the events came to.
    accounts = sorted(
        {str(r["recipientAccountId"]) for r in records.values() if "recipientAccountId" in r}
    )
    fired: dict[str, set[str]] = {}
    for match in lake_matches(data_dir, every, {"org_accounts": accounts}):
        fired.setdefault(match.rule_id, set()).add(match.event_id)
    missed = [
        f"{rule_id}: {reference}"
        for rule_id, refs in wanted.items()
        for reference in refs
        if str(records[reference]["eventID"]) not in fired.get(rule_id, set())
    ]
    assert missed == []
    assert len(wanted) >= 60


COVERAGE_PAGE = Path(__file__).resolve().parents[2] / "docs" / "detection-coverage.md"


def test_coverage_page_names_every_rule() -> None:
    text = COVERAGE_PAGE.read_text(encoding="utf-8")
    missing = [p.stem for p in sorted(BUILTIN_RULES.glob("*.yml")) if f"`{p.stem}`" not in text]
    assert missing == []


def test_coverage_page_lists_the_rules_without_a_real_positive() -> None:
    text = COVERAGE_PAGE.read_text(encoding="utf-8")
    section = text.partition("## Rules without a real positive")[2].partition("\n## ")[0]
    listed = set(re.findall(r"`([a-z0-9_]+)`", section))
    names = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8")).get("real_positive")
        for p in BUILTIN_RULES.glob("*.yml")
    }
    assert listed == {name for name, value in names.items() if value == NONE}
