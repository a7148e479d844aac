"""The functions added for hunting: what each refuses, and the edges the goldens do not reach.

Their everyday results are checked against Python over the demo data in test_golden_demo.py.
"""

from __future__ import annotations

import datetime

import duckdb
import pytest

from tests.query.conftest import run
from trailhound.errors import QueryError
from trailhound.query import compile_query


def values(con: duckdb.DuckDBPyConnection, expressions: str) -> tuple[object, ...]:
    """The values of ``alter`` expressions, computed for one event (e01)."""
    names = [f"v{i}" for i in range(expressions.count(";") + 1)]
    assignments = ", ".join(
        f"{n} = {e.strip()}" for n, e in zip(names, expressions.split(";"), strict=True)
    )
    _, rows = run(con, f'filter eventId = "e01" | alter {assignments} | fields {", ".join(names)}')
    return rows[0]


def test_if_and_coalesce(con: duckdb.DuckDBPyConnection) -> None:
    assert values(con, 'if(true, 1); if(false, 1); if(false, 1, 2.5); if(null, "a", "b")') == (
        1, None, 2.5, "b",
    )  # fmt: skip
    assert values(con, 'if(false, "a", true, "b", "c"); coalesce(errorCode, null, "x")') == (
        "b", "x",
    )  # fmt: skip


def test_conversions(con: duckdb.DuckDBPyConnection) -> None:
    assert values(
        con, 'to_integer("-12"); to_integer("1e3"); to_integer(2.5); to_integer(source_index); '
        'to_integer(true); to_float("1e3"); to_float("x"); to_boolean(" TRUE "); '
        'to_boolean("yes"); to_boolean(2); to_boolean(readOnly)',
    ) == (-12, None, 3, 0, 1, 1000.0, None, True, None, True, False)  # fmt: skip


def test_text_functions(con: duckdb.DuckDBPyConnection) -> None:
    assert values(
        con, 'trim("  a b  "); ltrim("xxaxx", "x"); rtrim("xxaxx", "x"); trim("--a--", "-"); '
        'regextract("k=1 k=22", "k=([0-9]+)"); regextract("no digits", "[0-9]"); '
        'regextract(null, "a")',
    ) == ("a b", "axx", "xxa", "a", ["1", "22"], [], None)  # fmt: skip


def test_arrays(con: duckdb.DuckDBPyConnection) -> None:
    assert values(
        con, 'split("a,b,,c", ","); arrayindex(split("a,b,c", ","), 0); '
        'arrayindex(split("a,b,c", ","), -1); arrayindex(split("a,b,c", ","), 3); '
        'arrayindex(split("a,b,c", ","), source_index + 1); array_length(split("", ",")); '
        'arraystring(split("a b", " "), "+"); arraystring(arraymap(split("1 2", " "), '
        'to_integer("@element") * 2), "-"); arrayfilter(split("a ab abc", " "), '
        '"@element" contains "b"); arraymap(arraymap(split("a", " "), concat("@element", "1")), '
        'uppercase(@element))',
    ) == (
        ["a", "b", "", "c"], "a", "c", None, "b", 1, "a+b", "2-4", ["ab", "abc"], ["A1"],
    )  # fmt: skip


def test_json_extract_array(con: duckdb.DuckDBPyConnection) -> None:
    document = '"{\\"a\\": [\\"x\\", {\\"b\\": 1}, 2, null], \\"s\\": \\"text\\"}"'
    assert values(
        con, f'json_extract_array({document}, "$.a"); json_extract_array({document}, "$.s"); '
        f'json_extract_array({document}, "$.missing"); json_extract_scalar({document}, "$.s")',
    ) == (["x", '{"b":1}', "2", None], None, None, "text")  # fmt: skip


def test_time_functions(con: duckdb.DuckDBPyConnection) -> None:
    sunday = '"2026-11-01 10:20:30"'
    saturday = '"2026-11-07 23:59:59"'
    assert values(
        con, f'extract_time(parse_timestamp("%Y-%m-%d %H:%M:%S", {sunday}), "DAYOFWEEK"); '
        f'extract_time(parse_timestamp("%Y-%m-%d %H:%M:%S", {saturday}), "dayofweek"); '
        f'format_timestamp("%d.%m.%Y %H:%M", timestamp_seconds(0)); '
        'timestamp_seconds("1.5"); parse_timestamp("%Y", "not a year")',
    ) == (
        1, 7, "01.01.1970 00:00",
        datetime.datetime(1970, 1, 1, 0, 0, 1, 500000, tzinfo=datetime.UTC), None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "at", "message"),
    [
        ('alter x = extract_time(eventTime, "fortnight")', '"fortnight"', "unknown part"),
        ("alter x = extract_time(eventName, 'HOUR')", "eventName", "needs a time"),
        ("alter x = extract_time(eventTime, part)", "part", "quoted string"),
        ('alter x = format_timestamp("%Q", eventTime)', "%Q", "unknown format code"),
        ('alter x = format_timestamp(eventName, eventTime)', "eventName", "quoted string"),
        ("alter x = timestamp_seconds(eventTime)", "eventTime", "needs a number"),
        ('alter x = regextract(eventName, "(")', '"("', "bad regular expression"),
        ("alter x = arrayindex(eventName, 0)", "eventName", "needs an array"),
        ('alter x = arrayindex(split(eventName, ","), "first")', '"first"', "whole number"),
        ("alter x = arraymap(source_index, 1)", "source_index", "needs an array"),
        ("alter x = lowercase(@element)", "@element", "only means something inside"),
        ('alter x = json_extract_array(requestParameters, "items")', '"items"', "starts with $"),
        ('alter x = incidr6(sourceIPAddress, "10.0.0.0/8")', '"10.0.0.0/8"', "IPv6 networks"),
        ('alter x = trim(eventName, "")', '""', "at least one character"),
        ("alter x = if(true)", "if", "at least 2"),
        ("alter x = trim(a, b, c)", "trim", "1 to 2"),
        ("alter x = if(eventName, 1)", "eventName", "expected a condition"),
    ],
)  # fmt: skip
def test_function_errors_point_at_the_argument(query: str, at: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(query)
    assert message in caught.value.message, caught.value.message
    assert caught.value.position == query.index(at)


def test_element_as_written_in_xql_is_a_plain_string_outside_a_lambda(
    con: duckdb.DuckDBPyConnection,
) -> None:
    assert values(con, 'concat("@element", "!")') == ("@element!",)
