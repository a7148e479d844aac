"""Equivalence: for each rule, the SQL selects exactly what the plain-Python reference selects."""

from __future__ import annotations

from dataclasses import replace

import pytest
from detect_support import (
    ACCOUNT,
    SHARED,
    RulePackRun,
    complete_event,
    ingest_records,
    lake_matches,
)
from reference import evaluate_rule, parsed_once

from trailhound.data_dir import DataDir
from trailhound.detect.base import RuleSet
from trailhound.detect.engine import load_rules


def _records(run: RulePackRun) -> list[dict[str, object]]:
    records = []
    for rule in run.ruleset.rules:
        for key in ("match", "no_match"):
            for n, event in enumerate(rule.tests.get(key, [])):
                records.append(complete_event(event, f"{rule.id}-{key}-{n}"))
    return records


def test_rule_pack_sql_equals_reference(rule_pack_run: RulePackRun) -> None:
    records = _records(rule_pack_run)
    placeholders = {"org_accounts": [ACCOUNT]}
    for rule in rule_pack_run.ruleset.rules:
        source = parsed_once(rule.source)
        expected = {str(r["eventID"]) for r in records if evaluate_rule(source, r, placeholders)}
        actual = {e for e, ids in rule_pack_run.fired.items() if rule.id in ids}
        assert actual == expected, rule.path


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="shared data not found")
def test_sigmahq_rules_sql_equals_reference(
    tmp_path_factory: pytest.TempPathFactory, rule_pack_run: RulePackRun
) -> None:
    import orjson

    records = _records(rule_pack_run)
    for file in sorted((SHARED / "stratus").glob("*.json")):
        records += [r for r in orjson.loads(file.read_bytes()) if r.get("eventTime")]
    data_dir = DataDir(tmp_path_factory.mktemp("sigmahq"))
    ingest_records(data_dir, records)
    ruleset = load_rules([SHARED / "sigma"], builtin=False, keep_source=True)
    every = RuleSet(rules=[replace(r, generate=True) for r in ruleset.rules])
    fired: dict[str, set[str]] = {}
    for match in lake_matches(data_dir, every, {}):
        fired.setdefault(match.rule_id, set()).add(match.event_id)
    for rule in ruleset.rules:
        source = parsed_once(rule.source)
        expected = {str(r["eventID"]) for r in records if evaluate_rule(source, r)}
        assert fired.get(rule.id, set()) == expected, rule.path
