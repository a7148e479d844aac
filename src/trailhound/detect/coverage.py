"""The ATT&CK coverage of the enabled rules: tactics × techniques, and which have fired."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from trailhound.detect.base import CorrelationRule, DetectionRule, RuleSet

# Enterprise ATT&CK tactics in kill-chain order (cloud matrix).
TACTICS: tuple[str, ...] = (
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "defense-impairment",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
)


def build_coverage(
    enabled_rules: RuleSet, fired: Mapping[str, int], signals: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """``{tactics: {tactic: {technique: {rules: [...], fired: n}}}, rules, fired}``.

    ``fired`` is the alert count per rule ID (``AlertStore.fired_rules``), ``signals`` the
    signals stored per rule ID (``AlertStore.signal_counts``); signal rules are counted apart.
    """
    signals = signals or {}
    signal_rules = [r for r in enabled_rules.rules if r.signal]
    matrix: dict[str, dict[str, dict[str, Any]]] = {}
    enabled: list[DetectionRule | CorrelationRule] = [
        *enabled_rules.rules,
        *enabled_rules.correlations,
    ]
    for rule in enabled:
        if not getattr(rule, "generate", True):
            continue
        for tactic in rule.tactics or ("unmapped",):
            for technique in rule.techniques or ("unmapped",):
                cell = matrix.setdefault(tactic, {}).setdefault(
                    technique, {"rules": [], "fired": 0}
                )
                cell["rules"].append(rule.id)
                cell["fired"] += fired.get(rule.id, 0)
    order = {t: i for i, t in enumerate(TACTICS)}
    tactics = dict(sorted(matrix.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))
    return {
        "tactics": {t: dict(sorted(cells.items())) for t, cells in tactics.items()},
        "rules": len(enabled),
        "techniques": len({tech for cells in matrix.values() for tech in cells}),
        "fired_rules": sorted(r for r in fired if fired[r]),
        "signal_rules": len(signal_rules),
        "signals": sum(signals.get(r.id, 0) for r in signal_rules),
    }


def render_text(coverage: dict[str, Any]) -> str:
    """One line per tactic: its techniques, ``*`` marking those whose rules fired."""
    lines = [
        f"{coverage['rules']} rules, {coverage['techniques']} techniques (* = fired); "
        f"{coverage.get('signal_rules', 0)} signal rules, {coverage.get('signals', 0):,} signals"
    ]
    for tactic, cells in coverage["tactics"].items():
        techniques = ", ".join(
            f"{tech}{'*' if cell['fired'] else ''}({len(cell['rules'])})"
            for tech, cell in cells.items()
        )
        lines.append(f"{tactic:>22}: {techniques}")
    return "\n".join(lines)


def render_html(coverage: dict[str, Any]) -> str:
    """A standalone HTML page: one column per tactic, a cell per technique."""
    columns = []
    for tactic, cells in coverage["tactics"].items():
        items = "".join(
            f'<li class="{"fired" if cell["fired"] else "quiet"}" '
            f'title="{html.escape(", ".join(cell["rules"]))}">{html.escape(tech)} '
            f"<small>{len(cell['rules'])} rules, {cell['fired']} alerts</small></li>"
            for tech, cell in cells.items()
        )
        columns.append(f"<section><h2>{html.escape(tactic)}</h2><ul>{items}</ul></section>")
    return (
        "<!doctype html><meta charset=utf-8><title>trailhound ATT&amp;CK coverage</title>"
        "<style>body{font-family:sans-serif;display:flex;gap:8px;align-items:flex-start}"
        "section{min-width:150px}ul{list-style:none;padding:0}li{margin:3px;padding:4px;"
        "border-radius:4px;background:#eef}li.fired{background:#fbb}</style>"
        + "".join(columns)
        + "\n"
    )
