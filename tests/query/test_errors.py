"""Errors name the place (a caret under it) and suggest the nearest valid name."""

from __future__ import annotations

from pathlib import Path

import pytest

from trailhound.errors import QueryError
from trailhound.query import compile_query


def error_for(query: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    return caught.value


def test_unknown_field_names_it_points_at_it_and_suggests() -> None:
    query = 'dataset = cloudtrail | filter eventNme = "ConsoleLogin"'
    error = error_for(query)
    assert "eventNme" in error.message
    assert error.position == query.index("eventNme")
    assert error.suggestion == "eventName"
    assert error.render().splitlines() == [
        "unknown field 'eventNme'",
        "  " + query,
        "  " + " " * query.index("eventNme") + "^",
        "Did you mean 'eventName'?",
    ]


@pytest.mark.parametrize(
    ("query", "bad", "suggestion"),
    [
        ("fields sourceIPAdress", "sourceIPAdress", "sourceIPAddress"),
        ("sort evnt_time desc", "evnt_time", "event_time"),
        ("comp count() by awsRegon", "awsRegon", "awsRegion"),
        ('filter requestParamters.bucketName = "x"', "requestParamters.bucketName",
         "requestParameters.bucketName"),
        ('filter userIdentity.sessionContext.sessionIssuer.ar = "x" | fields -userIdentity '
         "| filter userIdentity.sessionContext.sessionIssuer.anr = 1",
         "userIdentity.sessionContext.sessionIssuer.anr",
         "userIdentity.sessionContext.sessionIssuer.arn"),
        ("alter total = 1 | filter totl > 0", "totl", "total"),
        ("comp count() as hits by eventName | filter hit > 2", "hit", "hits"),
        ("dataset = quarantine | filter reson = 1", "reson", "reason"),
        ("dataset = alerts | sort severty", "severty", "severity"),
    ],
)  # fmt: skip
def test_unknown_fields_anywhere(query: str, bad: str, suggestion: str) -> None:
    error = error_for(query)
    assert repr(bad) in error.message
    assert error.position == query.rindex(bad)
    assert error.suggestion == suggestion


def test_a_field_dropped_by_an_earlier_stage() -> None:
    query = 'fields eventName | filter awsRegion = "us-east-1"'
    error = error_for(query)
    assert "not available" in error.message and "eventName" in error.message
    assert error.position == query.index("awsRegion")
    query = "comp count() by eventName | sort eventTime"
    error = error_for(query)
    assert error.position == query.index("eventTime")


@pytest.mark.parametrize(
    ("query", "at", "message"),
    [
        ('filter eventName = "ConsoleLogin', '"ConsoleLogin', "unterminated string"),
        ("filter `eventName = 1", "`", "unterminated"),
        ("filter sourceIPAddress = 10.0.0.1", "10.0.0.1", "bad number"),
        ("filter source_index = 12abc", "12abc", "bad number"),
        ("limit ten", "ten", "whole number"),
        ("limit 1.5", "1.5", "whole number"),
        ("limit", "", "end of the query"),
        ("filter eventName = ", "", "expected a value"),
        ("filter (eventName = 1", "", "')'"),
        ("filter eventName = 1)", ")", "'|' or the end"),
        ("filter eventName # 1", "#", "unexpected character"),
        ("filter eventName = 1 | | limit 1", "| limit", "stage name"),
        ("filter eventName in 1", "1", "'(' after 'in'"),
        ("filter eventName not like 1", "like", "'in' or 'contains'"),
        ("config timeframe = 7x", "7x", "bad number"),
        ("config timeframe = 7", "7", "duration"),
        ("config window = 7d", "window", "unknown setting"),
        ("bin eventTime 1h", "1h", "span"),
        ("sort asc eventTime desc", "desc", "direction once"),
        ("fields -eventName as x", "x", "cannot be renamed"),
        ("comp count as n", "as", "'(' after count"),
        ("filter and", "and", "expected a value"),
        ("top 0 eventName", "0", "at least 1"),
    ],
)
def test_syntax_errors_have_positions(query: str, at: str, message: str) -> None:
    error = error_for(query)
    assert message in error.message
    expected = len(query) if at == "" else query.index(at)
    assert error.position == expected


@pytest.mark.parametrize(
    ("query", "at", "message", "suggestion"),
    [
        ("fitler eventName = 1", "fitler", "unknown stage", "filter"),
        ("filter x = 1 | lmit 5", "lmit", "unknown stage", "limit"),
        ("dataset = cloudtrial", "cloudtrial", "unknown dataset", "cloudtrail"),
        ('filter lowercse(eventName) = "x"', "lowercse", "unknown function", "lowercase"),
        ('filter count(eventName) = "x"', "count", "aggregate", None),
        ("comp cnt()", "cnt", "unknown aggregate", "count"),
        ('filter timestamp_diff(now(), eventTime, "hours") > 1', '"hours"', "unknown time unit",
         "hour"),
    ],
)  # fmt: skip
def test_unknown_names_are_suggested(
    query: str, at: str, message: str, suggestion: str | None
) -> None:
    error = error_for(query)
    assert message in error.message
    assert error.position == query.index(at)
    assert error.suggestion == suggestion


@pytest.mark.parametrize(
    ("query", "at", "message"),
    [
        ("filter eventName", "eventName", "expected a condition"),
        ("filter source_index + 1", "source_index", "expected a condition"),
        ('filter incidr(sourceIPAddress, "10.0.0.0/33")', '"10.0.0.0/33"', "bad network"),
        ('filter incidr(sourceIPAddress, "2001:db8::/20")', '"2001:db8::/20"', "multiple of 16"),
        ("filter incidr(sourceIPAddress, eventName)", "eventName", "quoted string"),
        ('filter eventName ~= "(unclosed"', '"(unclosed"', "bad regular expression"),
        ("filter eventName contains eventSource", "eventSource", "quoted string"),
        ("filter eventName in (eventSource)", "eventSource", "literal values"),
        ('filter json_extract(requestParameters, "bucketName") = "x"', '"bucketName"', "$"),
        ("filter lowercase(eventName, awsRegion) = 1", "lowercase", "takes 1 argument"),
        ("filter eventName = 1 | dataset = alerts", "alerts", "must come before"),
        ("limit 1 | config timeframe = 1d", "1d", "must come before"),
        ("dataset = alerts | dataset = quarantine", "quarantine", "already set"),
        ("config timeframe = 1d | config timeframe = 2d", "2d", "already set"),
        ("fields eventName, EventName", "EventName", "appears twice"),
        ("comp count(), count()", "count(), count()", "appears twice"),
        ("fields -requestParameters.bucketName", "requestParameters", "whole columns"),
        ("bin eventName span = 1h", "eventName", "time column"),
        ("fields eventName | comp earliest(eventName)", "earliest", "time column"),
        ("comp sum()", "sum", "needs a field"),
        ("filter eventName = 1h", "1h", "cannot compare interval and text"),
        ('filter eventTime > "yesterday"', '"yesterday"', "not a time value"),
        ('filter readOnly = "maybe"', '"maybe"', "not a boolean value"),
        ("filter eventName = true", "true", "cannot be compared with a text"),
        ("filter eventTime = 5", "5", "number cannot be compared"),
        ('filter source_index = "five"', '"five"', "not a number value"),
        ("filter eventTime < eventName", "eventName", "cannot compare"),
        ("config timeframe = 0d", "0d", "longer than zero"),
    ],
)
def test_semantic_errors_have_positions(query: str, at: str, message: str) -> None:
    error = error_for(query)
    assert message in error.message
    if at == "count(), count()":
        assert error.position == query.rindex("count()")
    else:
        assert error.position == query.index(at)


def test_errors_in_a_multi_line_query_point_at_the_right_line() -> None:
    query = "dataset = cloudtrail\n| filter eventName = 1\n| sort awsRegoin"
    error = error_for(query)
    lines = error.render().splitlines()
    assert lines[1] == "  | sort awsRegoin"
    assert lines[2] == "  " + " " * len("| sort ") + "^"


def test_long_and_or_chains_compile_flat_and_run(tmp_path: Path) -> None:
    from trailhound.data_dir import DataDir
    from trailhound.store.engine import QueryEngine

    names = [f"Event{i}" for i in range(2_000)]
    query = "filter " + " or ".join(f'eventName = "{n}"' for n in names)
    compiled = compile_query(query)
    sql = compiled.sql()
    assert sql.count(" OR ") == 1_999 and "((" not in sql  # one flat chain
    both = "filter " + " and ".join(f'eventName != "{n}"' for n in names[:200])
    with QueryEngine(DataDir(tmp_path / "store")) as engine:
        assert engine.execute(compiled.expression)[1] == []
        assert engine.execute(compile_query(both).expression)[1] == []


def test_a_2000_term_alter_is_a_query_error_or_an_answer(tmp_path: Path) -> None:
    from trailhound.data_dir import DataDir
    from trailhound.store.engine import QueryEngine

    assignments = "alter " + ", ".join(f"x{i} = {i}" for i in range(2_000))
    chained = "alter x0 = 1, " + ", ".join(f"x{i + 1} = x{i} + 1" for i in range(2_000))
    with QueryEngine(DataDir(tmp_path / "store")) as engine:
        columns, _ = engine.execute(compile_query(assignments).expression)
        assert len(columns) > 2_000
        steps = "alter x0 = 1, " + ", ".join(f"x{i + 1} = x{i} + 1" for i in range(100))
        assert engine.execute(compile_query(steps).expression)[0][-1] == "x100"
    error = error_for(chained)  # refused before the compiler spends quadratic time on it
    assert "too complex: more than 256 steps" in error.message
    error = error_for("alter x = " + " + ".join(["1"] * 2_000))
    assert "expression too long" in error.message
    assert error.position is not None


def test_nesting_and_length_are_bounded() -> None:
    assert "nested too deeply" in error_for("filter " + "(" * 3_000 + "a = 1" + ")" * 3_000).message
    assert "longer than" in error_for("filter a = 1" + " " * 300_000).message
    # At the limit, the deepest mix of operators still compiles and renders in every dialect.
    deepest = "alter x = " + "(1 + " * 31 + "1" + " + 1)" * 31
    compiled = compile_query(deepest)
    assert compiled.sql("spark") and compiled.sql("trino")
