"""The small registries of the query package (datasets, dialects) and its doctests."""

from __future__ import annotations

import doctest
from typing import ClassVar

import pytest
from sqlglot import exp

from trailhound.errors import QueryError
from trailhound.query import compile_query, compiler, durations
from trailhound.query.datasets import DATASETS
from trailhound.query.dialects import DIALECTS, get_dialect, register_dialect
from trailhound.query.network import ipv6_prefixes, parse_networks


@pytest.mark.parametrize("module", [compiler, durations])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_dataset_registry() -> None:
    assert set(DATASETS) == {
        "cloudtrail", "cloud_audit_logs", "quarantine", "alerts", "signals", "signal_rollups",
        "incidents", "analytics_profiles", "analytics_findings", "suppressions",
    }  # fmt: skip
    for name, dataset in DATASETS.items():
        assert dataset.name == dataset.relation == name
        assert dataset.time_column in dataset.columns
    assert DATASETS["cloudtrail"].resolve("EventName") == ("event_name", None)
    assert DATASETS["cloudtrail"].resolve("resources[0].ARN") == ("resources", "$[0].ARN")
    audit = DATASETS["cloud_audit_logs"]
    assert audit.resolve("eventName") == ("api_operation", None)
    assert audit.resolve("API_OPERATION") == ("api_operation", None)
    assert audit.resolve("requestParameters.bucketName") == ("api_request_data", "$.bucketName")
    assert {"cloud_provider", "status"} <= set(audit.columns)
    with pytest.raises(KeyError):
        audit.resolve("userIdentity.sessionContext.sessionIssuer.userName")  # no OCSF name
    assert DATASETS["quarantine"].columns == (
        "run_id", "source", "position", "reason", "excerpt", "quarantined_at",
    )  # fmt: skip
    assert (
        len(DATASETS["alerts"].columns) == 24
    )  # with principal, sessions, resources, group_*, explanation


def test_dialect_registry_takes_a_third_party_dialect() -> None:
    class Postgres:
        name: ClassVar[str] = "postgres"

        def generate(self, expression: exp.Expr, *, pretty: bool = False) -> str:
            return expression.sql(dialect="postgres", pretty=pretty)

    register_dialect(Postgres())
    try:
        assert compile_query("limit 1").sql("postgres") == "SELECT * FROM cloudtrail LIMIT 1"
        assert get_dialect("POSTGRES").name == "postgres"
    finally:
        del DIALECTS["postgres"]
    with pytest.raises(QueryError, match="postgres"):
        get_dialect("postgres")


def test_ipv6_prefixes_cover_the_compressed_forms() -> None:
    (network,) = parse_networks("2001:db8:0:0::/64")
    assert ipv6_prefixes(network) == ["2001:db8:0:0:", "2001:db8:0::", "2001:db8::"]  # type: ignore[arg-type]


def test_spark_and_trino_get_regex_flags_inline_and_no_materialized_hint() -> None:
    flagged = exp.RegexpLike(
        this=exp.column("a"), expression=exp.Literal.string("^x"), flag=exp.Literal.string("i")
    )
    query = (
        exp.select("*").from_("t").where(flagged).with_("w", as_=exp.select("1"), materialized=True)
    )
    assert get_dialect("duckdb").generate(query) == (
        "WITH w AS MATERIALIZED (SELECT 1) SELECT * FROM t WHERE REGEXP_MATCHES(a, '^x', 'i')"
    )
    assert get_dialect("spark").generate(query) == (
        "WITH w AS (SELECT 1) SELECT * FROM t WHERE a RLIKE '(?i)^x'"
    )
    assert get_dialect("trino").generate(query) == (
        "WITH w AS (SELECT 1) SELECT * FROM t WHERE REGEXP_LIKE(a, '(?i)^x')"
    )
    assert query.find(exp.RegexpLike).args["flag"] is not None  # type: ignore[union-attr]
