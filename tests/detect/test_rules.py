"""The built-in rule pack: metadata, and every embedded test event (StreamAlert style)."""

from __future__ import annotations

import pytest
from detect_support import RulePackRun

from trailhound.detect.base import LEVELS
from trailhound.detect.engine import load_rules

PACK = load_rules()
CASES = [
    (rule.id, key, n)
    for rule in PACK.rules
    for key in ("match", "no_match")
    for n in range(len(rule.tests.get(key, [])))
]
NAMES = {rule.id: rule.path.rsplit("/", 1)[-1] for rule in PACK.rules}


def test_pack_loads_without_problems() -> None:
    assert PACK.problems == []
    assert len([r for r in PACK.rules if r.generate]) + len(PACK.correlations) >= 60


@pytest.mark.parametrize("rule", [*PACK.rules, *PACK.correlations], ids=lambda r: r.id[:8])
def test_rule_metadata(rule: object) -> None:
    assert rule.tactics, "an ATT&CK tactic tag"
    assert rule.techniques, "an ATT&CK technique tag"
    assert rule.level in LEVELS
    assert rule.description
    assert rule.investigation


def test_alerting_rules_have_tests() -> None:
    for rule in PACK.rules:
        if rule.generate:
            assert rule.tests.get("match"), f"{rule.path} has no matching test event"
            assert rule.tests.get("no_match"), f"{rule.path} has no non-matching test event"


@pytest.mark.parametrize(
    ("rule_id", "key", "n"), CASES, ids=[f"{NAMES[r]}-{k}-{n}" for r, k, n in CASES]
)
def test_embedded_event(rule_pack_run: RulePackRun, rule_id: str, key: str, n: int) -> None:
    fired = rule_pack_run.fired.get(f"{rule_id}-{key}-{n}", set())
    if key == "match":
        assert rule_id in fired
    else:
        assert rule_id not in fired
