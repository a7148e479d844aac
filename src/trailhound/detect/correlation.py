"""Sigma correlation rules over the matches of their base rules.

``event_count`` and ``value_count`` count matches (or distinct values of a field) per group in a
sliding window of ``timespan``; ``temporal`` needs every referenced rule to match in the window,
``temporal_ordered`` in the order the rule lists them. A correlation match carries every event in
the window that satisfied the condition, so the alert names the whole burst.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from trailhound.detect.base import CorrelationRule

if TYPE_CHECKING:
    from trailhound.detect.engine import Match

_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le,
    "eq": operator.eq, "neq": operator.ne,
}
Row = tuple["Match", tuple[object, ...]]


def _ordered(window: Sequence[Row], rule_ids: Sequence[str]) -> bool:
    """Whether the window holds matches of ``rule_ids`` in that order."""
    position = 0
    for match, _ in window:
        if position < len(rule_ids) and match.rule_id == rule_ids[position]:
            position += 1
    return position == len(rule_ids)


def _satisfied(corr: CorrelationRule, window: Sequence[Row], offset: int,
               references: Mapping[str, str]) -> bool:
    compare = _OPERATORS[corr.operator]
    if corr.kind == "event_count":
        return compare(len(window), corr.count)
    if corr.kind == "value_count":
        at = offset + len(corr.group_by)
        values = {extra[at] for _, extra in window if extra[at] is not None}
        return compare(len(values), corr.count)
    seen = {references[m.rule_id] for m, _ in window}
    needed = set(corr.rule_ids)
    if corr.kind == "temporal":
        return seen >= needed
    if corr.kind == "temporal_ordered":
        ids = [references[m.rule_id] for m, _ in window]
        order = list(corr.rule_ids)
        position = 0
        for rule_id in ids:
            if position < len(order) and rule_id == order[position]:
                position += 1
        return position == len(order)
    return False


def correlate(corr: CorrelationRule, per_rule: Mapping[str, Sequence[Row]], offset: int
              ) -> list[Match]:
    """The matches of one correlation rule, from its base rules' matches."""
    from trailhound.detect.engine import Match

    rows: list[Row] = []
    references: dict[str, str] = {}
    for reference in corr.rule_ids:
        for match, extra in per_rule.get(reference, ()):
            references[match.rule_id] = reference
            rows.append((match, extra))
    groups: dict[tuple[object, ...], list[Row]] = {}
    width = len(corr.group_by)
    for match, extra in rows:
        key = tuple(str(v).lower() if v is not None else None
                    for v in extra[offset : offset + width])
        groups.setdefault(key, []).append((match, extra))
    found: dict[str, Match] = {}
    span = corr.timespan
    for members in groups.values():
        members.sort(key=lambda r: (r[0].event_time, r[0].event_id))
        start = 0
        for end in range(len(members)):
            while members[end][0].event_time - members[start][0].event_time > span:
                start += 1
            window = members[start : end + 1]
            if _satisfied(corr, window, offset, references):
                for match, _ in window:
                    found.setdefault(match.event_id, Match(
                        corr.id, match.event_id, match.event_time, match.actor, match.account,
                        match.region, match.source_ip,
                        "|".join("" if k is None else str(k) for k in
                                 tuple(extra_key for extra_key in _key(window[-1], offset, width)))
                        or None))
    return sorted(found.values(), key=lambda m: (m.event_time, m.event_id))


def _key(row: Row, offset: int, width: int) -> tuple[object, ...]:
    return tuple(row[1][offset : offset + width])
