"""Detection's extension points: built-ins are declared like third parties; formats plug in."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

import pytest
from sqlglot import exp

import trailhound.detect.engine as engine
from trailhound.detect.base import DETECTORS, RULE_FORMATS, DetectionRule, RuleFormat, RuleSet
from trailhound.incidents.outputs.base import OUTPUTS
from trailhound.registry import Registry
from trailhound.store.base import BACKENDS


@pytest.mark.parametrize("registry", [DETECTORS, RULE_FORMATS, OUTPUTS, BACKENDS])
def test_built_ins_are_declared_as_entry_points_of_the_same_objects(
    registry: Registry[object],
) -> None:
    assert registry.group is not None
    declared = {point.name: point.load() for point in entry_points(group=registry.group)}
    assert declared, f"no entry points in {registry.group}: reinstall the package"
    for name, item in declared.items():
        assert registry.get(name) is item
        assert getattr(item, "name", None) == name


class ToyFormat:
    """A third party's rule language: one event name per line."""

    name: ClassVar[str] = "toy"
    suffixes: ClassVar[tuple[str, ...]] = (".toy",)

    def __init__(self, *, keep_source: bool = False) -> None:
        self.keep_source = keep_source

    def load_file(self, path: Path, *, builtin: bool = False) -> RuleSet:
        rules = [
            DetectionRule(
                id=f"toy-{n}",
                title=f"{name} called",
                level="low",
                predicate=exp.EQ(
                    this=exp.column("event_name"), expression=exp.Literal.string(name)
                ),
                path=str(path),
                line=n,
            )
            for n, name in enumerate(path.read_text().split(), 1)
        ]
        return RuleSet(rules=rules)


def test_load_rules_reads_every_registered_format_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    formats: Registry[type[RuleFormat]] = Registry("rule format", group=None)
    formats.register_lazy("sigma", "trailhound.detect.sigma.loader:SigmaFormat")
    formats.register(ToyFormat)
    monkeypatch.setattr(engine, "RULE_FORMATS", formats)
    (tmp_path / "calls.toy").write_text("StopLogging\nDeleteTrail\n")
    (tmp_path / "one.yml").write_text(
        "title: sigma\nlogsource: {product: aws}\ndetection:\n  sel: {eventName: X}\n"
        "  condition: sel\n"
    )
    ruleset = engine.load_rules([tmp_path], builtin=False)
    assert sorted(r.title for r in ruleset.rules) == [
        "DeleteTrail called",
        "StopLogging called",
        "sigma",
    ]
    assert ruleset.problems == []


def test_detection_imports_no_later_stage() -> None:
    """Alerts (incidents), ingest and the front doors come after detection: it never imports
    them, not even lazily; whoever wires detection hands it the alert store."""
    import ast

    import trailhound.detect

    later = ("trailhound.incidents", "trailhound.ingest", "trailhound.cli", "trailhound.app")
    package = Path(trailhound.detect.__file__).parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [f"{path.name}: {n}" for n in names if n.startswith(later)]
    assert found == []
