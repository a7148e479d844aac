"""The lexer and parser: tokens with positions, the stage AST, and robustness on any text."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trailhound.errors import QueryError
from trailhound.query import ast, compile_query
from trailhound.query.lexer import TokenKind, tokenize
from trailhound.query.parser import parse_expression, parse_query


def test_tokens_remember_where_they_start() -> None:
    tokens = tokenize('filter a.b[0].c != "x*\\*y" | limit 10')
    assert [(t.kind, t.position) for t in tokens] == [
        (TokenKind.NAME, 0),
        (TokenKind.NAME, 7),
        (TokenKind.OPERATOR, 16),
        (TokenKind.STRING, 19),
        (TokenKind.PIPE, 27),
        (TokenKind.NAME, 29),
        (TokenKind.NUMBER, 35),
        (TokenKind.END, 37),
    ]
    string = tokens[3]
    assert string.value == "x**y"
    assert string.wildcards == (1,)  # the escaped star is literal
    assert string.regex == "x*\\*y"


def test_string_escapes() -> None:
    (token, _) = tokenize(r"'it\'s \"q\" \d+ \\'")
    assert token.value == 'it\'s "q" \\d+ \\'
    (token, _) = tokenize('"a|b"')
    assert token.value == "a|b"


def test_durations_and_numbers() -> None:
    kinds = [t.kind for t in tokenize("7d 1h30m 42 3.5 012345678901 1e3")][:-1]
    assert kinds == [TokenKind.DURATION] * 2 + [TokenKind.NUMBER] * 4


def test_parse_a_whole_pipeline() -> None:
    pipeline = parse_query(
        "DATASET = CloudTrail | Config TimeFrame = 2h | FILTER a = 1 | fields a, b as c, -d "
        "| alter x = 1, y = x | comp count() as n, sum(x) by a, b | sort desc n, a asc "
        "| limit 5 | dedup a, b by t desc | top 3 a by b | top a | bin t span = 15m"
    )
    kinds = [type(s).__name__ for s in pipeline.stages]
    assert kinds == [
        "DatasetStage", "ConfigStage", "FilterStage", "FieldsStage", "AlterStage", "CompStage",
        "SortStage", "LimitStage", "DedupStage", "TopStage", "TopStage", "BinStage",
    ]  # fmt: skip
    dataset, config, _, fields, alter, comp, sort, limit, dedup, top, top_default, binned = (
        pipeline.stages
    )
    assert dataset == ast.DatasetStage("cloudtrail", 10)
    assert isinstance(config, ast.ConfigStage)
    assert config.timeframe == datetime.timedelta(hours=2)
    assert isinstance(fields, ast.FieldsStage)
    assert [(i.field.name, i.alias, i.exclude) for i in fields.items] == [
        ("a", None, False), ("b", "c", False), ("d", None, True),
    ]  # fmt: skip
    assert isinstance(alter, ast.AlterStage)
    assert [a.name for a in alter.assignments] == ["x", "y"]
    assert isinstance(comp, ast.CompStage)
    assert [(a.function, a.alias) for a in comp.aggregates] == [("count", "n"), ("sum", None)]
    assert [f.name for f in comp.by] == ["a", "b"]
    assert isinstance(sort, ast.SortStage)
    assert [(k.field.name, k.descending) for k in sort.keys] == [("n", True), ("a", False)]
    assert isinstance(limit, ast.LimitStage) and limit.count == 5
    assert isinstance(dedup, ast.DedupStage) and dedup.order == ast.SortKey(
        ast.Field("t", dedup.order.field.position), True
    )
    assert isinstance(top, ast.TopStage) and (top.count, top.field.name) == (3, "a")
    assert top.by is not None and top.by.name == "b"
    assert isinstance(top_default, ast.TopStage) and top_default.count == 10
    assert isinstance(binned, ast.BinStage) and binned.span == datetime.timedelta(minutes=15)


def test_expression_precedence() -> None:
    tree = parse_expression("not a = 1 or b = 2 and c in (3, 4) and -d * 2 + 1 > 0")
    assert isinstance(tree, ast.Binary) and tree.operator == "or"
    assert isinstance(tree.left, ast.Unary) and tree.left.operator == "not"
    right = tree.right
    assert isinstance(right, ast.Binary) and right.operator == "and"
    comparison = right.right
    assert isinstance(comparison, ast.Binary) and comparison.operator == ">"
    addition = comparison.left
    assert isinstance(addition, ast.Binary) and addition.operator == "+"
    assert isinstance(addition.left, ast.Binary) and addition.left.operator == "*"


def test_keywords_are_case_insensitive_and_backticks_quote_names() -> None:
    tree = parse_expression("`and` = TRUE AND x NOT IN (NULL)")
    assert isinstance(tree, ast.Binary) and tree.operator == "and"
    assert tree.left == ast.Binary("=", ast.Field("and", 0), ast.Constant(True, 8), 6)
    assert isinstance(tree.right, ast.InList) and tree.right.negated


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_expression("(" * 500 + "a = 1" + ")" * 500)
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_expression("not " * 500 + "a")
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_expression("-" * 500 + "1 = 1")


_WORDS = st.sampled_from(
    [
        "dataset", "=", "cloudtrail", "alerts", "config", "timeframe", "7d", "filter", "fields",
        "alter", "comp", "sort", "limit", "dedup", "top", "bin", "span", "by", "as", "asc",
        "desc", "and", "or", "not", "in", "contains", "~=", "!=", "<", ">=", "(", ")", ",", "|",
        "-", "+", "*", "/", "eventName", "awsRegion", "eventTime", "requestParameters.x",
        "count()", "values(", "earliest(", "incidr(", "lowercase(", '"a*"', '"10.0.0.0/8"',
        "'x'", "1", "0", "2.5", "null", "true", "`n`", '"', "`", "#", "1h", "5m", "1x",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_any_text_raises_only_query_error(text: str) -> None:
    try:
        compile_query(text).sql()
    except QueryError as error:
        assert error.position is None or 0 <= error.position <= len(text)
        error.render()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, max_size=25).map(" ".join))
def test_near_miss_queries_raise_only_query_error(text: str) -> None:
    try:
        compiled = compile_query(text)
    except QueryError as error:
        assert error.position is None or 0 <= error.position <= len(text)
        error.render()
    else:
        for dialect in ("duckdb", "spark", "trino"):
            compiled.sql(dialect)
