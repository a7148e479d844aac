"""Compile pipe queries and run them on DuckDB against the hand-made events in conftest.py."""

from __future__ import annotations

import datetime

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from tests.query.conftest import ADMIN_ROLE, ALICE, BOB, NOW, run
from trailhound.errors import QueryError
from trailhound.query import CompiledQuery, compile_condition, compile_query


def ids(con: duckdb.DuckDBPyConnection, query: str, **kwargs: object) -> list[str]:
    """The event IDs a query returns, in the order it returns them."""
    _, rows = run(con, f"{query} | fields eventId", **kwargs)
    return [row[0] for row in rows]


def id_set(con: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    """The event IDs a query returns, as a set."""
    return set(ids(con, query))


# --- filter: operators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('eventName = "ConsoleLogin"', {"e01", "e02", "e19"}),
        ('EventName = "consolelogin"', {"e01", "e02", "e19"}),  # names and values: any case
        ('event_name == "CONSOLELOGIN"', {"e01", "e02", "e19"}),
        ('eventSource != "s3.amazonaws.com" and eventSource != "signin.amazonaws.com"',
         {"e08", "e09", "e10", "e11", "e12", "e13", "e14", "e18"}),
        ('eventName = "Delete*"', {"e06", "e07", "e18"}),
        ('eventName = "*object"', {"e03", "e04", "e05", "e07", "e16", "e20"}),
        ('eventName = "Get*Identity"', {"e14"}),
        ('eventName != "*Object*" and eventSource = "s3.amazonaws.com"',
         {"e06", "e15", "e17"}),
        ('awsRegion in ("US-EAST-1", "ap-south-1") and eventSource = "ec2.amazonaws.com"',
         {"e11", "e12"}),
        ('awsRegion in ("eu-*")', {"e06", "e07", "e19"}),
        ('awsRegion not in ("us-east-1", "us-west-2")', {"e06", "e07", "e12", "e19"}),
        ('userAgent contains "CLI"', {"e14"}),
        ('eventName not contains "o" and eventSource = "sts.amazonaws.com"', {"e14"}),
        ('eventName ~= "^Get(Object|CallerIdentity)$"', {"e03", "e04", "e14", "e16"}),
        ('eventName ~= "(?i)^getobject$"', {"e03", "e04", "e16"}),
        ('eventName ~= "^getobject$"', set()),  # regular expressions are case-sensitive
        ("readOnly = true and eventSource = \"ec2.amazonaws.com\"", {"e11", "e12"}),
        ('readOnly = "TRUE" and awsRegion = "ap-south-1"', {"e12"}),
        ("not readOnly and eventSource = \"s3.amazonaws.com\"",
         {"e05", "e06", "e07", "e17", "e20"}),
        ("source_index >= 18", {"e19", "e20"}),
        ("source_index < 2 or source_index > 18", {"e01", "e02", "e20"}),
        ("source_index * 2 + 1 = 5", {"e03"}),
        ("-source_index = -3", {"e04"}),
        ("source_index / 4 = 1.5", {"e07"}),
        ("errorCode = null and eventSource = \"iam.amazonaws.com\"", {"e09"}),
        ("errorCode != null", {"e02", "e08", "e18"}),
        ("isnull(errorCode) and eventSource = \"iam.amazonaws.com\"", {"e09"}),
        ("not isnull(errorCode)", {"e02", "e08", "e18"}),
        ('errorCode in ("accessdenied", null) and eventSource = "iam.amazonaws.com"',
         {"e08", "e09"}),
        ('(eventName = "StopLogging" or eventName = "DeleteTrail") and errorCode = null',
         {"e13"}),
        ('eventName = "StopLogging" or eventName = "DeleteTrail" and errorCode = null',
         {"e13"}),  # and binds tighter than or
        ("recipientAccountId = 012345678901", {"e07", "e18"}),  # leading zero kept
        ('eventTime > "2000-01-01" and source_index = 0', {"e01"}),
        ("is_error", {"e02", "e08", "e18"}),
    ],
)  # fmt: skip
def test_filter_operators(
    con: duckdb.DuckDBPyConnection, condition: str, expected: set[str]
) -> None:
    assert id_set(con, f"filter {condition}") == expected


def test_wildcards_escape_literal_percent_and_underscore(con: duckdb.DuckDBPyConnection) -> None:
    # "logs_*" must not match "logsx2024" (an unescaped _ would), and "%" in a value is literal.
    assert id_set(con, 'filter requestParameters.bucketName = "logs_*"') == {"e05"}
    assert id_set(con, 'filter requestParameters.bucketName = "logs_2024%"') == {"e05"}
    assert id_set(con, 'filter requestParameters.bucketName contains "4%"') == {"e05"}
    assert id_set(con, 'filter requestParameters.bucketName = "logs*2024"') == {"e20"}
    assert id_set(con, r'filter userAgent = "aws-cli/2.15.0 Python/3.11\*"') == set()


def test_dotted_json_fields(con: duckdb.DuckDBPyConnection) -> None:
    expected = {"e03", "e04", "e16"}
    assert id_set(con, 'filter requestParameters.bucketName = "prod-data"') == expected
    assert id_set(con, 'filter requestparameters.bucketName = "PROD-DATA"') == expected
    assert id_set(con, 'filter json_extract(requestParameters, "$.bucketName") = "prod-data"') == (
        expected
    )
    assert id_set(con, 'filter requestParameters.key = "a.txt"') == {"e03"}


def test_dotted_name_of_a_typed_column(con: duckdb.DuckDBPyConnection) -> None:
    query = f'filter userIdentity.sessionContext.sessionIssuer.arn = "{ADMIN_ROLE.upper()}"'
    assert id_set(con, query) == {"e05", "e06", "e13", "e17"}
    assert id_set(con, 'filter userIdentity.arn contains "user/alice"') == {
        "e01", "e02", "e09", "e14", "e15", "e19",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("networks", "expected"),
    [
        ("10.0.0.0/8", {"e02", "e03", "e11", "e12", "e15"}),  # not 11.0.0.1, not 10.0.0.256
        ("192.168.0.0/16", {"e04", "e05", "e20"}),
        ("192.168.1.0/24", {"e04", "e05"}),
        ("198.51.100.7/32", {"e08", "e09"}),
        ("10.0.0.0/8, 192.168.0.0/16", {"e02", "e03", "e04", "e05", "e11", "e12", "e15", "e20"}),
        ("2001:db8::/32", {"e06", "e07"}),  # not 2001:db9::1
        ("2001:db8:0::/48", {"e06", "e07"}),
        ("2001:db8:0:1::/64", {"e07"}),
        ("2001:db8::1/128", {"e06"}),
        ("::/0", {"e06", "e07", "e17"}),
    ],
)
def test_incidr(con: duckdb.DuckDBPyConnection, networks: str, expected: set[str]) -> None:
    assert id_set(con, f'filter incidr(sourceIPAddress, "{networks}")') == expected


def test_incidr_never_matches_service_names_or_bad_addresses(
    con: duckdb.DuckDBPyConnection,
) -> None:
    everything = id_set(con, 'filter incidr(sourceIPAddress, "0.0.0.0/0")')
    assert "e10" not in everything  # ec2.amazonaws.com
    assert "e18" not in everything  # 999.1.1.1
    assert "e19" not in everything  # 10.0.0.256
    assert "e06" not in everything  # IPv6
    assert id_set(con, 'filter not incidr(sourceIPAddress, "0.0.0.0/0")') == {
        "e06", "e07", "e10", "e17", "e18", "e19",
    }  # fmt: skip


# --- fields, alter ------------------------------------------------------------------------------


def test_fields_keeps_renames_and_extracts(con: duckdb.DuckDBPyConnection) -> None:
    columns, rows = run(
        con,
        'filter eventId = "e03" | fields eventName, requestParameters.bucketName as bucket, '
        "requestParameters.key",
    )
    assert columns == ["eventName", "bucket", "requestParameters.key"]
    assert rows == [("GetObject", "prod-data", "a.txt")]


def test_fields_can_be_used_by_later_stages(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(
        con,
        'fields eventId, requestParameters.bucketName as bucket | filter bucket = "PROD-data" '
        "| sort eventId desc | fields eventId",
    )
    assert rows == [("e16",), ("e04",), ("e03",)]


def test_fields_drops_with_minus(con: duckdb.DuckDBPyConnection) -> None:
    columns, _ = run(con, "fields -raw, -userIdentity, -request_parameters | limit 1")
    assert "raw" not in columns and "user_identity" not in columns
    assert "request_parameters" not in columns
    assert "event_name" in columns
    columns, _ = run(con, "fields eventName, awsRegion, -awsRegion | limit 1")
    assert columns == ["eventName"]


def test_alter_adds_and_replaces(con: duckdb.DuckDBPyConnection) -> None:
    columns, rows = run(
        con,
        'filter eventId = "e14" | alter region = uppercase(awsRegion), '
        'tag = concat(eventName, "@", region), size = len(tag) '
        "| alter eventName = lowercase(eventName) "
        "| fields eventName, region, tag, size",
    )
    assert columns == ["eventName", "region", "tag", "size"]
    assert rows == [("getcalleridentity", "US-EAST-1", "GetCallerIdentity@US-EAST-1", 27)]


def test_alter_functions(fresh_con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(
        fresh_con,
        'filter eventId = "e08" | alter code = coalesce(errorCode, "none"), '
        'user = coalesce(userIdentity.arn, "root"), idx = to_string(source_index), '
        'n = to_number("12.5") + 1, bad = to_number("x"), '
        'minutes = timestamp_diff(now(), eventTime, "minute") '
        "| fields code, user, idx, n, bad, minutes",
    )
    code, user, idx, n, bad, minutes = rows[0]
    assert (code, user, idx, n, bad) == ("AccessDenied", "root", "7", 13.5, None)
    assert 2 * 1440 <= minutes <= 2 * 1440 + 60


def test_durations_are_values(fresh_con: duckdb.DuckDBPyConnection) -> None:
    assert id_set(fresh_con, "filter eventTime > now() - 1h") == {"e13", "e14", "e15"}
    assert id_set(fresh_con, "filter eventTime + 1h > now() and eventTime < now() - 30m") == {
        "e14",
        "e15",
    }
    assert id_set(fresh_con, "alter since = now() - 45m | filter eventTime >= since") == {
        "e13",
        "e14",
    }


def test_alter_then_filter_on_the_new_field(fresh_con: duckdb.DuckDBPyConnection) -> None:
    query = 'alter service = lowercase(eventSource) | filter service = "IAM.amazonaws.com"'
    assert id_set(fresh_con, query) == {"e08", "e09"}
    query = 'alter age = timestamp_diff(now(), eventTime, "hour") | filter age < 1'
    assert id_set(fresh_con, query) == {"e13", "e14", "e15"}


# --- comp ---------------------------------------------------------------------------------------


def test_comp_every_aggregate(con: duckdb.DuckDBPyConnection) -> None:
    columns, rows = run(
        con,
        'filter eventSource = "s3.amazonaws.com" | comp count() as n, count(errorCode) as errors, '
        "count_distinct(userIdentity.arn) as users, sum(source_index) as total, "
        "min(source_index), max(eventName), avg(source_index), values(awsRegion), "
        "earliest(eventName), latest(eventName) by eventSource",
    )
    assert columns == [
        "eventSource", "n", "errors", "users", "total", "min_source_index", "max_event_name",
        "avg_source_index", "values_aws_region", "earliest_event_name", "latest_event_name",
    ]  # fmt: skip
    indexes = [2, 3, 4, 5, 6, 14, 15, 16, 19]
    assert rows == [
        (
            "s3.amazonaws.com", 9, 0, 4, sum(indexes), 2, "PutObject", sum(indexes) / 9,
            ["eu-west-1", "us-east-1", "us-west-2"], "DeleteObject", "ListBuckets",
        )
    ]  # fmt: skip


def test_comp_by_several_fields_then_sort(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(
        con,
        'filter eventSource = "s3.amazonaws.com" | comp count() as n by awsRegion, eventName '
        "| sort n desc, awsRegion, eventName asc | limit 3",
    )
    assert rows == [
        ("us-west-2", "GetObject", 3),
        ("us-west-2", "PutObject", 2),
        ("eu-west-1", "DeleteBucket", 1),
    ]


def test_comp_without_by_and_by_a_json_field(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, "comp count()") == (["count"], [(20,)])
    columns, rows = run(
        con, "filter requestParameters.bucketName != null | comp count() as n by "
        "requestParameters.bucketName | sort requestParameters.bucketName"
    )  # fmt: skip
    assert columns == ["requestParameters.bucketName", "n"]
    assert rows == [
        ("Prod-Data", 1), ("logs_2024%", 1), ("logsx2024", 1), ("old-bucket", 1), ("prod-data", 2),
    ]  # fmt: skip


def test_comp_result_feeds_filter(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(con, "comp count() as n by userIdentity.arn | filter n >= 5 | sort n desc")
    assert rows == [(ALICE, 6), (BOB, 6)] or rows == [(BOB, 6), (ALICE, 6)]


# --- sort, limit, dedup, top, bin ---------------------------------------------------------------


def test_sort_and_limit(con: duckdb.DuckDBPyConnection) -> None:
    assert ids(con, "sort eventTime desc | limit 3") == ["e13", "e14", "e15"]
    assert ids(con, "sort desc eventTime | limit 2") == ["e13", "e14"]
    assert ids(con, "sort eventTime | limit 2") == ["e12", "e11"]
    assert ids(con, "sort eventTime asc | limit 5 | limit 2") == ["e12", "e11"]
    # A later sort reorders the rows an earlier sort + limit picked.
    assert ids(con, "sort source_index | limit 3 | sort source_index desc") == ["e03", "e02", "e01"]
    # A filter after a limit filters the limited rows, in the same order.
    assert ids(con, 'sort source_index desc | limit 5 | filter awsRegion = "us-west-2"') == [
        "e20", "e17", "e16",
    ]  # fmt: skip


def test_sort_survives_later_stages(con: duckdb.DuckDBPyConnection) -> None:
    query = 'sort source_index desc | filter eventSource = "iam.amazonaws.com" | alter x = 1'
    assert ids(con, query) == ["e09", "e08"]
    _, rows = run(con, "sort eventTime desc | fields eventName | limit 2")
    assert rows == [("StopLogging",), ("GetCallerIdentity",)]
    # The sort follows its column through a rename.
    query = 'sort eventTime desc | fields eventId, eventTime as t | filter eventId != "e13"'
    _, rows = run(con, query + " | alter u = 1 | limit 2")
    assert [r[0] for r in rows] == ["e14", "e15"]


def test_dedup_keeps_first_row_per_key(con: duckdb.DuckDBPyConnection) -> None:
    # Without an order: the earliest event of each caller.
    query = f'filter userIdentity.arn in ("{ALICE}", "{BOB}") | dedup userIdentity.arn'
    assert id_set(con, query) == {"e09", "e12"}
    assert id_set(con, query + " by eventTime desc") == {"e14", "e03"}
    # After a sort: first in that order, and the order stays.
    assert ids(con, "sort eventTime desc | dedup eventSource | limit 3") == ["e13", "e14", "e15"]
    assert ids(con, "dedup awsRegion, readOnly by source_index | sort source_index") == [
        "e01", "e03", "e05", "e06", "e11", "e12",
    ]  # fmt: skip


def test_top(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, "top 2 eventSource") == (
        ["eventSource", "count"],
        [("s3.amazonaws.com", 9), ("signin.amazonaws.com", 3)],
    )
    _, rows = run(con, "top eventName")
    assert len(rows) == 10
    assert rows[:3] == [("ConsoleLogin", 3), ("GetObject", 3), ("DescribeInstances", 2)]
    _, rows = run(con, 'filter eventSource in ("s3.amazonaws.com", "iam.amazonaws.com") '
                  "| top 1 eventName by eventSource")  # fmt: skip
    assert rows == [
        ("iam.amazonaws.com", "CreateAccessKey", 1),
        ("s3.amazonaws.com", "GetObject", 3),
    ]


def test_bin(con: duckdb.DuckDBPyConnection) -> None:
    columns, rows = run(con, "bin eventTime span = 1d | comp count() as n by eventTime")
    assert columns == ["eventTime", "n"]
    assert sum(n for _, n in rows) == 20
    assert all(t.hour == t.minute == t.second == 0 for t, _ in rows)
    _, rows = run(con, "bin eventTime span = 15m | fields eventTime, eventId")
    assert all(t.minute % 15 == 0 and t.second == 0 for t, _ in rows)
    for binned, event_id in rows:
        original = con.execute(
            "SELECT event_time FROM cloudtrail WHERE event_id = ?", [event_id]
        ).fetchone()
        assert original is not None
        assert datetime.timedelta(0) <= original[0] - binned < datetime.timedelta(minutes=15)
    _, rows = run(con, 'bin eventTime span = 1h | filter eventId = "e13" | fields eventTime')
    assert rows == [((NOW - datetime.timedelta(minutes=20)).replace(minute=0, second=0),)]


# --- time ---------------------------------------------------------------------------------------


def test_config_timeframe_and_since(fresh_con: duckdb.DuckDBPyConnection) -> None:
    last_hour = {"e13", "e14", "e15"}
    assert id_set(fresh_con, "config timeframe = 1h") == last_hour
    assert id_set(fresh_con, "dataset = cloudtrail | config timeframe = 60m") == last_hour
    assert id_set(fresh_con, "config timeframe = 1h | dataset = cloudtrail") == last_hour
    assert len(id_set(fresh_con, "config timeframe = 7d")) == 18  # not e11 (8 days), e12 (10 days)
    assert len(id_set(fresh_con, "config timeframe = 1w")) == 18
    assert set(ids(fresh_con, "filter readOnly", since=datetime.timedelta(hours=1))) == {
        "e14",
        "e15",
    }
    # The query's own timeframe wins over --since.
    assert len(ids(fresh_con, "config timeframe = 7d", since=datetime.timedelta(hours=1))) == 18
    assert len(ids(fresh_con, "sort eventTime")) == 20  # no bound at all


# --- other datasets -----------------------------------------------------------------------------


def test_cloud_audit_logs_takes_ocsf_and_cloudtrail_names(
    fresh_con: duckdb.DuckDBPyConnection,
) -> None:
    columns, rows = run(
        fresh_con,
        'dataset = cloud_audit_logs | filter api_operation = "stoplogging" or '
        'eventName = "DeleteTrail" | fields api_operation, status, actor_session_issuer '
        "| sort api_operation",
    )
    assert columns == ["api_operation", "status", "actor_session_issuer"]
    assert rows == [("DeleteTrail", "Failure", None), ("StopLogging", "Success", ADMIN_ROLE)]
    _, rows = run(
        fresh_con,
        "dataset = cloud_audit_logs | config timeframe = 1h | comp count() by cloud_provider",
    )
    assert rows == [("AWS", 3)]
    _, rows = run(
        fresh_con,
        'dataset = cloud_audit_logs | filter api_request_data.bucketName = "old*" '
        "| fields metadata_uid",
    )
    assert rows == [("e06",)]


def test_quarantine(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(con, "dataset = quarantine | config timeframe = 1d | comp count() as n by reason "
                  "| sort reason")  # fmt: skip
    assert rows == [("no eventTime", 1), ("not JSON", 1)]
    _, rows = run(con, "dataset = QUARANTINE | filter position > 2 | sort position desc "
                  "| fields source, position")  # fmt: skip
    assert rows == [("a.json.gz", 7), ("b.json", 3)]


def test_alerts(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(con, 'dataset = alerts | filter severity in ("HIGH", "crit*") '
                  "| sort count desc | fields id, count")  # fmt: skip
    assert rows == [("a2", 3), ("a4", 2), ("a1", 1)]
    _, rows = run(con, "dataset = alerts | top 1 rule_id")
    assert rows == [("stop-logging", 2)]
    _, rows = run(con, 'dataset = alerts | config timeframe = 150m | filter status = "OPEN" '
                  "| comp sum(count) as events, values(rule_id) as rules")  # fmt: skip
    assert rows == [(3, ["stop-logging"])]


# --- the public API -----------------------------------------------------------------------------


def test_compiled_query_is_a_sqlglot_tree() -> None:
    compiled = compile_query("dataset = alerts | limit 1")
    assert isinstance(compiled, CompiledQuery)
    assert compiled.dataset == "alerts"
    assert isinstance(compiled.expression, exp.Select)
    assert compiled.sql() == "SELECT * FROM alerts LIMIT 1"
    assert compiled.sql("spark") == "SELECT * FROM alerts LIMIT 1"


def test_empty_query_reads_every_event(con: duckdb.DuckDBPyConnection) -> None:
    assert compile_query("").sql() == "SELECT * FROM cloudtrail"
    assert compile_query("  dataset = cloudtrail  ").sql() == "SELECT * FROM cloudtrail"


def test_unknown_dialect_lists_the_supported_ones() -> None:
    with pytest.raises(QueryError, match="duckdb, spark, trino"):
        compile_query("limit 1").sql("oracle")


@pytest.mark.parametrize("dialect", ["spark", "trino"])
def test_other_dialects_parse_back(dialect: str) -> None:
    query = (
        'config timeframe = 1d | filter eventName = "Delete*" and incidr(sourceIPAddress, '
        '"10.0.0.0/8") | alter b = requestParameters.bucketName | comp count() as n, '
        "earliest(b) by userIdentity.arn | sort n desc | limit 5"
    )
    sql = compile_query(query).sql(dialect)
    assert sqlglot.parse_one(sql, read=dialect) is not None


def test_compile_condition(con: duckdb.DuckDBPyConnection) -> None:
    condition = compile_condition('eventName = "Stop*" and userIdentity.arn != null')
    assert isinstance(condition, exp.Expression)
    sql = exp.select("event_id").from_("cloudtrail").where(condition).sql("duckdb")
    assert con.execute(sql).fetchall() == [("e13",)]
    assert compile_condition('reason = "not JSON"', "quarantine").sql() == (
        "LOWER(reason) = 'not json'"
    )
    with pytest.raises(QueryError, match="unknown dataset"):
        compile_condition("x = 1", "nope")
    with pytest.raises(QueryError, match="expected the end of the condition"):
        compile_condition('eventName = "x" | limit 1')
