"""The ATT&CK coverage of a rule set, and which of its rules have fired."""

from __future__ import annotations

from sqlglot import exp

from trailhound.detect.base import DetectionRule, RuleSet
from trailhound.detect.coverage import build_coverage, render_html, render_text


def _rule(rule_id: str, tactic: str, technique: str, generate: bool = True) -> DetectionRule:
    return DetectionRule(
        id=rule_id, title=rule_id, level="high", predicate=exp.true(), path=f"{rule_id}.yml",
        tactics=(tactic,), techniques=(technique,), generate=generate,
    )  # fmt: skip


def test_the_matrix_counts_rules_and_alerts_per_technique() -> None:
    rules = RuleSet(
        rules=[
            _rule("a", "defense-evasion", "T1562.008"),
            _rule("b", "defense-evasion", "T1562.008"),
            _rule("c", "persistence", "T1098"),
            _rule("base", "discovery", "T1087", generate=False),  # only feeds a correlation
        ]
    )
    coverage = build_coverage(rules, {"a": 3, "zzz": 1})
    assert list(coverage["tactics"]) == ["persistence", "defense-evasion"]  # kill-chain order
    cell = coverage["tactics"]["defense-evasion"]["T1562.008"]
    assert cell == {"rules": ["a", "b"], "fired": 3}
    assert coverage["fired_rules"] == ["a", "zzz"] and coverage["techniques"] == 2
    assert "T1562.008*(2)" in render_text(coverage)
    assert '<li class="fired"' in render_html(coverage)
