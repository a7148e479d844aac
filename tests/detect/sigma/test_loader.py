"""Loading Sigma files: SigmaHQ's CloudTrail rules all compile; bad rules are reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from detect_support import SHARED

from trailhound.detect.engine import load_rules
from trailhound.detect.sigma.loader import SigmaFormat


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "sigma").is_dir(), reason="shared Sigma rules not found")
def test_every_sigmahq_cloudtrail_rule_compiles() -> None:
    ruleset = load_rules([SHARED / "sigma"], builtin=False)
    assert [str(p) for p in ruleset.problems] == []
    assert len(ruleset.rules) == len(list((SHARED / "sigma").glob("*.yml")))


def test_bad_rules_are_reported_with_file_and_line(tmp_path: Path) -> None:
    good = (
        "title: good\nlogsource: {product: aws}\ndetection:\n  sel: {eventName: X}\n"
        "  condition: sel\n"
    )
    (tmp_path / "good.yml").write_text(good)
    (tmp_path / "unknown_field.yml").write_text(
        "title: bad\nlogsource: {product: aws}\ndetection:\n  sel:\n    noSuchField: X\n"
        "  condition: sel\n"
    )
    (tmp_path / "bad_condition.yml").write_text(
        "title: bad\nlogsource: {product: aws}\ndetection:\n  sel: {eventName: X}\n"
        "  condition: sel and missing\n"
    )
    (tmp_path / "broken.yml").write_text("title: [unclosed\n")
    ruleset = load_rules([tmp_path], builtin=False)
    assert [r.title for r in ruleset.rules] == ["good"]
    problems = {Path(p.path).name: p for p in ruleset.problems}
    assert set(problems) == {"unknown_field.yml", "bad_condition.yml", "broken.yml"}
    assert problems["unknown_field.yml"].line == 5
    assert "noSuchField" in problems["unknown_field.yml"].reason
    assert problems["bad_condition.yml"].line == 5
    assert problems["broken.yml"].line is not None


def test_collection_and_correlation_load(tmp_path: Path) -> None:
    (tmp_path / "c.yml").write_text(
        "title: base\nname: base\nlogsource: {product: aws}\ndetection:\n"
        "  sel: {eventName: ConsoleLogin}\n  condition: sel\n---\n"
        "title: burst\ncorrelation:\n  type: event_count\n  rules: [base]\n"
        "  group-by: [sourceIPAddress]\n  timespan: 5m\n  condition: {gte: 3}\n"
    )
    ruleset = SigmaFormat().load_file(tmp_path / "c.yml")
    assert ruleset.problems == []
    assert ruleset.correlations[0].rule_ids == ("base",)
    assert ruleset.correlations[0].timespan.total_seconds() == 300
