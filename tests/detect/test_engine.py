"""The one-scan engine: neutral expressions, shared terms, the prefilter, any backend's dialect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

import sqlglot
from detect_support import ACCOUNT, RulePackRun
from sqlglot import exp

from trailhound.detect.base import RuleSet
from trailhound.detect.engine import (
    default_resource,
    hoist_shared,
    one_scan_query,
    prefilter,
    required_event_names,
    run_rules,
)
from trailhound.detect.sigma.pipeline import field_expression
from trailhound.store.base import QueryResult
from trailhound.store.duckdb import DuckDBBackend

PLACEHOLDERS = {"org_accounts": [ACCOUNT]}


class SparkOnDuckDB:
    """A backend that speaks Spark SQL: it keeps the SQL it is given and runs it on DuckDB,
    translated back by sqlglot, so that Spark's rendering of the rules is checked by results."""

    name: ClassVar[str] = "spark-on-duckdb"
    dialect: ClassVar[str] = "spark"

    def __init__(self, inner: DuckDBBackend) -> None:
        self.inner = inner
        self.received: list[str] = []

    def execute(self, query: exp.Expr | str, params: Sequence[object] = ()) -> QueryResult:
        assert isinstance(query, str)
        self.received.append(query)
        return self.inner.execute(sqlglot.transpile(query, read="spark", write="duckdb")[0], params)

    def close(self) -> None:
        self.inner.close()


def _every(run: RulePackRun) -> RuleSet:
    return RuleSet(
        rules=[replace(r, generate=True) for r in run.ruleset.rules],
        correlations=list(run.ruleset.correlations),
    )


def test_the_rules_run_in_the_backends_dialect(rule_pack_run: RulePackRun) -> None:
    ruleset = _every(rule_pack_run)
    with DuckDBBackend.open(rule_pack_run.data_dir) as duck:
        expected = run_rules(duck, "cloudtrail", ruleset, PLACEHOLDERS)
        spark = SparkOnDuckDB(duck)
        found = run_rules(spark, "cloudtrail", ruleset, PLACEHOLDERS)
    [sql] = spark.received
    assert "GET_JSON_OBJECT" in sql and "FILTER(" in sql and "MATERIALIZED" not in sql
    assert "json_extract_string" not in sql.lower() and "list_filter" not in sql.lower()
    key = lambda m: (m.rule_id, m.event_id)  # noqa: E731
    assert sorted(found, key=key) == sorted(expected, key=key)
    assert len({m.rule_id for m in found}) > 50  # most of the pack matched its test events
    # The SQL is cached per dialect: each backend gets its own.
    assert {k[0] for k in ruleset.sql_cache} == {"duckdb", "spark"}


def test_only_neutral_nodes_in_the_match_query(rule_pack_run: RulePackRun) -> None:
    query = one_scan_query(_every(rule_pack_run), "cloudtrail", PLACEHOLDERS)
    assert query is not None
    anonymous = {node.name.lower() for node in query.find_all(exp.Anonymous)}
    assert anonymous == set(), anonymous  # every function is a node each dialect renders
    assert query.find(exp.ArrayFilter) and query.find(exp.ArraySize)
    assert query.find(exp.JSONExtractScalar)


def test_shared_terms_are_computed_once() -> None:
    name = exp.Lower(this=field_expression("eventName"))
    bucket = field_expression("requestParameters.policyDocument")
    predicates = [
        exp.and_(
            exp.EQ(this=name.copy(), expression=exp.Literal.string("a")), bucket.is_(exp.null())
        ),
        exp.EQ(this=name.copy(), expression=exp.Literal.string("b")),
    ]
    rewritten, shared = hoist_shared(predicates)
    assert len(shared) == 2
    assert {type(e) for e in shared.values()} == {exp.Lower, exp.JSONExtractScalar}
    assert not any(p.find(exp.Lower) or p.find(exp.JSONExtractScalar) for p in rewritten)


def test_the_prefilter_keeps_every_event_a_rule_can_match() -> None:
    name = exp.Lower(this=field_expression("eventName"))
    named = exp.In(this=name, expressions=[exp.Literal.string("stoplogging")])
    unnamed = exp.EQ(this=field_expression("userAgent"), expression=exp.Literal.string("x"))
    assert required_event_names(exp.and_(named, unnamed)) == frozenset({"stoplogging"})
    assert required_event_names(exp.or_(named, unnamed)) is None
    condition = prefilter([named, exp.and_(named.copy(), unnamed.copy()), unnamed])
    assert condition is not None
    assert condition.sql() == ("LOWER(event_name) IN ('stoplogging') OR user_agent = 'x'")
    assert prefilter([unnamed]) is None


def test_the_default_resource_reads_json_paths_neutrally() -> None:
    resource = default_resource()
    paths = [e.expression.sql() for e in resource.find_all(exp.JSONExtractScalar)]
    assert paths[0] == "'$.bucketName'" and paths[-1] == "'$[0].ARN'"
    assert "GET_JSON_OBJECT(resources, '$[0].ARN')" in resource.sql("spark")
