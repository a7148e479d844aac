"""Sigma correlation rules over the matches of their base rules, evaluated in SQL.

``event_count`` and ``value_count`` count matches (or distinct values of a field) per group in a
sliding window of ``timespan``; ``temporal`` needs every referenced rule to match in the window,
``temporal_ordered`` in the order the rule lists them. A correlation match carries every event in
a window that satisfied the condition, so the alert names the whole burst.

The window is the one a reader walking each group's matches in (time, event ID) order would
keep: for the match at position ``i``, the matches from the first one at most ``timespan`` older
(``start``) up to ``i``. One statement per correlation computes ``start`` with a range window,
the condition with row windows over ``[start, i]``, and keeps every match that lies in some
satisfied window: the first satisfied window ending at or after it starts at or before it (the
starts never decrease). No Python runs per match; ``tests/detect/correlation_reference.py`` is the
plain reading the statements are checked against.

The statements run on the engine's own DuckDB connection over ``hits``: one row per (event, rule)
hit of the scan, with the rule's ID and name and the ``extra_N`` columns the correlations group
and count by. Only column names made from indices and integers are formatted into them; rule IDs
and references are bound.
"""

from __future__ import annotations

from collections.abc import Sequence

from trailhound.detect.base import CorrelationRule

_COMPARE = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=", "neq": "<>"}
# The columns of a correlation match, in ``MATCH_COLUMNS`` order.
_OUTPUT = (
    "CAST(? AS VARCHAR) AS rule_id, event_id, event_time, actor, account, region, source_ip, "
    "nullif(group_label, '') AS resource, principal, session, "
    'CAST(NULL AS VARCHAR) AS "group"'
)


def _microseconds(corr: CorrelationRule) -> int:
    span = corr.timespan
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


def _condition(corr: CorrelationRule, references: Sequence[str], value: str | None) -> str:
    """The SQL truth of the correlation's condition over the window ``[start, rn]``."""
    compare = _COMPARE[corr.operator]
    count = int(corr.count)
    if corr.kind == "event_count":
        return f"(rn - start + 1) {compare} {count}"
    if corr.kind == "value_count":
        if value is None:
            return "FALSE"
        return f"distinct_values {compare} {count}"
    if corr.kind == "temporal":
        return " AND ".join(f"last_{p} >= start" for p in range(len(references))) or "FALSE"
    if corr.kind == "temporal_ordered":
        return "ordered_from >= start" if corr.rule_ids else "FALSE"
    return "FALSE"


def _ordered_from(order: Sequence[int], keys: Sequence[str]) -> tuple[str, str]:
    """Joins finding, right to left, the latest positions of an ordered subsequence ending at
    ``rn``; the first one's position (NULL when there is none) is ``ordered_from``.

    Walking the window left to right and taking each listed rule as soon as it comes finds the
    sequence exactly when this does: a subsequence exists iff the latest-positions one does.
    """
    joins: list[str] = []
    position = f"c.last_{order[-1]}"
    for step, ref in enumerate(reversed(order[:-1])):
        alias = f"o{step}"
        on = " AND ".join(
            [f"{alias}.rn = {position} - 1"]
            + [f"{alias}.{key} IS NOT DISTINCT FROM c.{key}" for key in keys]
        )
        joins.append(f"LEFT JOIN positions AS {alias} ON {on}")
        position = f"{alias}.last_{ref}"
    return " ".join(joins), position


def correlation_sql(
    corr: CorrelationRule, groups: Sequence[str], value: str | None
) -> tuple[str, list[object]]:
    """The statement listing one correlation's matches from ``hits``, with its parameters.

    ``groups`` are the ``hits`` columns holding the correlation's group-by fields, ``value`` the
    one holding its counted field (``value_count``).
    """
    references = list(dict.fromkeys(corr.rule_ids))
    keys = [f"key_{i}" for i in range(len(groups))]
    partition = ", ".join(keys)
    over = f"PARTITION BY {partition} " if keys else ""
    key_columns = "".join(
        f", lower(CAST({g} AS VARCHAR)) AS {k}" for g, k in zip(groups, keys, strict=True)
    )
    label = (
        "concat_ws('|', " + ", ".join(f"coalesce(CAST({g} AS VARCHAR), '')" for g in groups) + ")"
        if groups
        else "''"
    )
    value_column = f", {value} AS counted" if value is not None else ""
    # One row per listed reference a hit's rule ID or name is, repeats included, as the rule
    # lists them: a rule listed twice counts its matches twice.
    listed = [references.index(r) for r in corr.rule_ids]
    refs = ", ".join(f"({p}, {k}, ?)" for p, k in enumerate(listed))
    lasts = "".join(
        f", max(CASE WHEN ref_key = {p} THEN rn END) OVER ({over}ORDER BY rn "
        "ROWS UNBOUNDED PRECEDING) AS last_" + str(p)
        for p in range(len(references))
    )
    distinct = (
        f", count(DISTINCT counted) OVER ({over}ORDER BY rn "
        "ROWS BETWEEN (rn - start) PRECEDING AND CURRENT ROW) AS distinct_values"
        if corr.kind == "value_count" and value is not None
        else ""
    )
    ordered_joins, ordered_position = "", "NULL"
    if corr.kind == "temporal_ordered" and corr.rule_ids:
        ordered_joins, ordered_position = _ordered_from(listed, keys)
    sql = f"""
WITH refs (ref_pos, ref_key, reference) AS (VALUES {refs}),
matched AS (
    SELECT h.*, r.ref_pos, r.ref_key FROM hits AS h JOIN refs AS r ON h.rule_id = r.reference
    UNION ALL
    SELECT h.*, r.ref_pos, r.ref_key FROM hits AS h JOIN refs AS r ON h.rule_name = r.reference
),
rows AS (
    SELECT event_id, event_time, actor, account, region, source_ip, principal, session, ref_pos,
           ref_key, {label} AS label{key_columns}{value_column}
    FROM matched
),
numbered AS (
    SELECT *, row_number() OVER ({over}ORDER BY event_time, event_id, ref_pos) AS rn
    FROM rows
),
framed AS (
    SELECT *, min(rn) OVER ({over}ORDER BY epoch_us(event_time)
                            RANGE BETWEEN {_microseconds(corr)} PRECEDING AND CURRENT ROW) AS start,
           first_value(label) OVER ({over}ORDER BY rn) AS group_label
    FROM numbered
),
positions AS (
    SELECT *{lasts}{distinct} FROM framed
),
judged AS (
    SELECT c.*, {ordered_position} AS ordered_from
    FROM positions AS c {ordered_joins}
),
marked AS (
    SELECT *, min(CASE WHEN {_condition(corr, references, value)} THEN start END)
              OVER ({over}ORDER BY rn ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
              AS next_start
    FROM judged
)
SELECT {_OUTPUT}
FROM marked WHERE next_start <= rn
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY rn) = 1
"""
    return sql, [*corr.rule_ids, corr.id]  # in the order the placeholders appear
