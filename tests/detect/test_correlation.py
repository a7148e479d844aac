"""Correlations in SQL select exactly what the plain-Python reading selects, on generated matches.

Each case draws a few dozen matches of three base rules (one referenced by its name), spread over
minutes, in groups whose values differ only by case or are missing, some events matched by two
rules at once; every kind and operator of correlation is evaluated both ways and compared.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest
from correlation_reference import correlate
from sqlglot import exp

from trailhound.detect.base import CorrelationRule
from trailhound.detect.correlation import correlation_sql
from trailhound.detect.matches import MATCH_COLUMNS, MatchTable
from trailhound.model import Match

START = datetime(2026, 6, 1, tzinfo=UTC)
RULES = [("rule-a", None), ("rule-b", None), ("id-c", "name-c")]  # (id, name)
KINDS = [
    ("event_count", ("rule-a",), "gte", 3),
    ("event_count", ("rule-a", "rule-b"), "gt", 4),
    ("event_count", ("rule-b",), "lt", 2),
    ("event_count", ("rule-a", "name-c"), "eq", 2),
    ("value_count", ("rule-a", "rule-b"), "gte", 2),
    ("value_count", ("name-c",), "neq", 1),
    ("value_count", ("rule-a",), "lte", 1),
    ("temporal", ("rule-a", "rule-b"), "gte", 1),
    ("temporal", ("rule-a", "rule-b", "name-c"), "gte", 1),
    ("temporal_ordered", ("rule-a", "rule-b"), "gte", 1),
    ("temporal_ordered", ("name-c", "rule-a", "rule-b"), "gte", 1),
    ("temporal_ordered", ("rule-b", "rule-a", "rule-b"), "gte", 1),
]


def _draw(rng: random.Random) -> list[tuple[str, str | None, Match, tuple[object, ...]]]:
    """(rule ID, rule name, match, extra) rows: extra holds the group value and counted value."""
    rows = []
    for n in range(rng.randint(5, 40)):
        when = START + timedelta(seconds=rng.choice([0, 1, 30, 59, 60, 61, 90]) * rng.randint(0, 8))
        group = rng.choice(["Role/X", "role/x", "Role/Y", None])
        value = rng.choice(["us-east-1", "eu-west-1", "ap-south-1", None])
        for rule_id, name in rng.sample(RULES, rng.choice([1, 1, 1, 2])):
            match = Match(
                rule_id, f"ev-{n:03d}", when, "actor", "111", "us-east-1", "1.2.3.4", "res"
            )
            rows.append((rule_id, name, match, (group, value)))
    return rows


def _sql(
    corr: CorrelationRule, rows: list[tuple[str, str | None, Match, tuple[object, ...]]]
) -> list[Match]:
    columns = {name: [getattr(m, name) for _, _, m, _ in rows] for name in MATCH_COLUMNS}
    table = MatchTable(pa.table(columns)).table
    table = table.append_column("rule_name", pa.array([n for _, n, _, _ in rows], pa.string()))
    table = table.append_column("extra_0", pa.array([e[0] for *_, e in rows], pa.string()))
    table = table.append_column("extra_1", pa.array([e[1] for *_, e in rows], pa.string()))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("hits", table)
    statement, params = correlation_sql(corr, ["extra_0"], "extra_1")
    found = con.sql(f"SELECT * FROM ({statement}) ORDER BY event_time, event_id", params=params)
    return list(MatchTable(found.to_arrow_table()))


@pytest.mark.parametrize("seed", range(8))
def test_sql_correlations_equal_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    rows = _draw(rng)
    per_rule: dict[str, list[tuple[Match, tuple[object, ...]]]] = {}
    for rule_id, name, match, extra in rows:
        per_rule.setdefault(rule_id, []).append((match, extra))
        if name:
            per_rule.setdefault(name, []).append((match, extra))
    fired = 0
    for kind, rule_ids, operator, count in KINDS:
        corr = CorrelationRule(
            id=f"corr-{kind}",
            title=kind,
            level="high",
            kind=kind,
            rule_ids=rule_ids,
            group_by=(exp.column("user_arn"),),
            group_by_names=("userIdentity.arn",),
            timespan=timedelta(seconds=rng.choice([30, 60, 120])),
            operator=operator,
            count=count,
            path="generated.yml",
            value_field=exp.column("aws_region"),
        )
        expected = correlate(corr, per_rule, 0)
        assert _sql(corr, rows) == expected, (kind, rule_ids, operator, count)
        fired += bool(expected)
    assert fired  # every seed makes some correlation fire: the comparison is not of empties
