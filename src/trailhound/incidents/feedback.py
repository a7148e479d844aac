"""Analysts' verdicts as feedback: per-rule and per-detector precision, the noisiest actors and
the suppressions worth suggesting.

A verdict is an alert's status: ``resolved`` counts as a true positive, ``false_positive`` as a
false one; alerts still ``new`` or ``in_progress`` have none yet. An alert without a verdict of
its own takes its incident's: closing an incident as ``resolved`` or ``false_positive`` counts
for every alert in it that carries none. Precision is true / (true +
false) over the alerts with a verdict (None without any). A suppression is suggested for a rule
and a principal (or a resource) with at least ``MIN_FALSE`` false positives and not one true
positive, unless an active suppression covers it already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trailhound.store.state import StateDB

MIN_FALSE = 2  # false positives of one rule and one principal before suppressing is suggested


@dataclass(frozen=True, slots=True)
class Precision:
    """The verdicts of one rule (or one detector): alerts, true and false positives."""

    key: str
    title: str
    alerts: int
    true_positives: int
    false_positives: int

    @property
    def verdicts(self) -> int:
        """Alerts an analyst has closed either way."""
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        """True positives among the verdicts, 0–1; None with no verdict yet."""
        return self.true_positives / self.verdicts if self.verdicts else None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suppression worth accepting: the rule, the field and value, and why."""

    rule_id: str
    title: str
    field: str
    value: str
    false_positives: int
    reason: str


# Every alert with its verdict: its own, else its incident's (when the incident is closed).
_JUDGED = """
WITH judged AS (
    SELECT a.*, CASE WHEN a.status IN ('resolved', 'false_positive') THEN a.status
                     WHEN i.status IN ('resolved', 'false_positive') THEN i.status
                     ELSE a.status END AS verdict
    FROM alerts AS a LEFT JOIN incident_alerts AS l ON l.alert_id = a.id
    LEFT JOIN incidents AS i ON i.id = l.incident_id
)"""
_VERDICTS = (
    _JUDGED
    + """
SELECT {key} AS key, any_value(title) AS title, count(*) AS alerts,
       count(*) FILTER (WHERE verdict = 'resolved') AS true_positives,
       count(*) FILTER (WHERE verdict = 'false_positive') AS false_positives
FROM judged GROUP BY key ORDER BY false_positives DESC, alerts DESC, key
"""
)
_NOISIEST = (
    _JUDGED
    + """
SELECT coalesce(principal, actor) AS who, rule_id, any_value(title) AS title,
       count(*) AS false_positives
FROM judged WHERE verdict = 'false_positive' AND coalesce(principal, actor) IS NOT NULL
GROUP BY who, rule_id ORDER BY false_positives DESC, who, rule_id LIMIT ?
"""
)
# Per field: the value's verdicts for a rule; suggested where only false positives are seen.
_CANDIDATES = (
    _JUDGED
    + """, c AS (
    SELECT rule_id, any_value(title) AS title, {value} AS value,
           count(*) FILTER (WHERE verdict = 'resolved') AS true_positives,
           count(*) FILTER (WHERE verdict = 'false_positive') AS false_positives
    FROM judged WHERE {value} IS NOT NULL GROUP BY rule_id, value
)
SELECT rule_id, title, value, false_positives FROM c
WHERE true_positives = 0 AND false_positives >= ? AND NOT EXISTS (
    SELECT 1 FROM suppressions AS s WHERE s.rule_id = c.rule_id AND s.field = ?
    AND lower(s.value) = lower(c.value) AND (s.expires_at IS NULL OR s.expires_at > ?))
ORDER BY false_positives DESC, rule_id, value
"""
)
_FIELDS = {"principal": "coalesce(principal, actor)", "resource": "resource"}


def _precision(state: StateDB, key: str) -> list[Precision]:
    with state.connect() as con:
        rows = con.execute(_VERDICTS.format(key=key)).fetchall()
    return [Precision(str(k), str(t or k), int(a), int(tp), int(fp)) for k, t, a, tp, fp in rows]


def rule_precision(state: StateDB) -> dict[str, Precision]:
    """Each rule's verdicts, by rule ID."""
    return {p.key: p for p in _precision(state, "rule_id")}


def detector_precision(state: StateDB) -> list[Precision]:
    """Each detector's verdicts (an alert's ``source``: rule, analytics, ledger…)."""
    return [
        Precision(p.key, p.key, p.alerts, p.true_positives, p.false_positives)
        for p in _precision(state, "source")
    ]


def noisiest_actors(state: StateDB, limit: int = 10) -> list[dict[str, Any]]:
    """The principals with the most false positives, per rule."""
    with state.connect() as con:
        rows = con.execute(_NOISIEST, [limit]).fetchall()
    return [
        {"principal": who, "rule_id": rule, "title": title, "false_positives": int(n)}
        for who, rule, title, n in rows
    ]


def suggest_suppressions(state: StateDB, min_false: int = MIN_FALSE) -> list[Suggestion]:
    """Rule + principal (then rule + resource) pairs seen only as false positives, at least
    ``min_false`` times, that no active suppression covers yet."""
    now = datetime.now(UTC)
    found: list[Suggestion] = []
    with state.connect() as con:
        for field, value in _FIELDS.items():
            rows = con.execute(_CANDIDATES.format(value=value), [min_false, field, now]).fetchall()
            for rule_id, title, text, false_positives in rows:
                found.append(
                    Suggestion(
                        str(rule_id),
                        str(title),
                        field,
                        str(text),
                        int(false_positives),
                        f"{false_positives} false positives, no true one",
                    )
                )
    return found
