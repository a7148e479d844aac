"""The reference evaluation of Sigma correlation rules: plain Python over matches, one at a time.

The engine evaluates correlations in SQL (``trailhound.detect.correlation``); this is the
straightforward reading of the same semantics, kept to check the SQL against on many generated
match sets. ``event_count`` and ``value_count`` count matches (or distinct values of a field) per
group in a sliding window of ``timespan``; ``temporal`` needs every referenced rule to match in
the window, ``temporal_ordered`` in the order the rule lists them.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from trailhound.detect.base import CorrelationRule
from trailhound.model import Match

_OPERATORS: dict[str, Callable[[int, int], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "eq": operator.eq,
    "neq": operator.ne,
}
Row = tuple["Match", tuple[object, ...]]


def _window_key(
    corr: CorrelationRule, row: Row, offset: int, references: Mapping[str, str]
) -> object:
    """What the window counts for a row: a field value (value_count) or its rule (temporal)."""
    if corr.kind == "value_count":
        return row[1][offset + len(corr.group_by)]
    return references[row[0].rule_id]


def _satisfied(
    corr: CorrelationRule,
    window: Sequence[Row],
    counts: Counter[object],
    references: Mapping[str, str],
) -> bool:
    compare = _OPERATORS[corr.operator]
    if corr.kind == "event_count":
        return compare(len(window), corr.count)
    if corr.kind == "value_count":
        return compare(sum(1 for k in counts if k is not None), corr.count)
    if corr.kind == "temporal":
        return set(corr.rule_ids) <= set(counts)
    if corr.kind == "temporal_ordered":
        order = list(corr.rule_ids)
        position = 0
        for match, _ in window:
            if position < len(order) and references[match.rule_id] == order[position]:
                position += 1
        return position == len(order)
    return False


def correlate(
    corr: CorrelationRule, per_rule: Mapping[str, Sequence[Row]], offset: int
) -> list[Match]:
    """The matches of one correlation rule, from its base rules' matches."""
    rows: list[Row] = []
    references: dict[str, str] = {}
    for reference in corr.rule_ids:
        for match, extra in per_rule.get(reference, ()):
            references[match.rule_id] = reference
            rows.append((match, extra))
    groups: dict[tuple[object, ...], list[Row]] = {}
    width = len(corr.group_by)
    for match, extra in rows:
        key = tuple(
            str(v).lower() if v is not None else None for v in extra[offset : offset + width]
        )
        groups.setdefault(key, []).append((match, extra))
    found: dict[str, Match] = {}
    span = corr.timespan
    for members in groups.values():
        members.sort(key=lambda r: (r[0].event_time, r[0].event_id))
        label = _group_label(members[0], offset, width)
        counts: Counter[object] = Counter()
        start = 0
        emitted = 0  # members before this index already belong to the result
        for end in range(len(members)):
            counts[_window_key(corr, members[end], offset, references)] += 1
            while members[end][0].event_time - members[start][0].event_time > span:
                leaving = _window_key(corr, members[start], offset, references)
                counts[leaving] -= 1
                if not counts[leaving]:
                    del counts[leaving]
                start += 1
            window = members[start : end + 1]
            if _satisfied(corr, window, counts, references):
                for match, _ in members[max(start, emitted) : end + 1]:
                    found.setdefault(
                        match.event_id,
                        Match(
                            corr.id,
                            match.event_id,
                            match.event_time,
                            match.actor,
                            match.account,
                            match.region,
                            match.source_ip,
                            label,
                            match.principal,
                            match.session,
                        ),
                    )
                emitted = end + 1
    return sorted(found.values(), key=lambda m: (m.event_time, m.event_id))


def _group_label(row: Row, offset: int, width: int) -> str | None:
    """The group-by values of a row as one string, the correlation alert's resource."""
    values = row[1][offset : offset + width]
    return "|".join("" if v is None else str(v) for v in values) or None
