"""The stages added for hunting: parsing, parameters, errors with a caret, and robustness.

Their results are checked against Python over the demo data in test_golden_demo.py; this module
covers the edges: options, defaults, what each refuses and where the error points.
"""

from __future__ import annotations

import datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.query.conftest import ALICE, BOB, run
from trailhound.errors import QueryError
from trailhound.query import ast, compile_query
from trailhound.query.parser import parse_query, query_parameters


def error_for(query: str, **kwargs: object) -> QueryError:
    with pytest.raises(QueryError) as caught:
        compile_query(query, **kwargs)  # type: ignore[arg-type]
    return caught.value


# --- parsing ------------------------------------------------------------------------------------


def test_parse_the_new_stages() -> None:
    text = (
        "join type = LEFT conflict_strategy = both (dataset = alerts | limit 1) as a x = a.y "
        "| union quarantine | union (filter b = 1) | arrayexpand resources limit 3 "
        "| windowcomp lag(t, 2) by a, b sort desc t, u between -5 and null frame_type = rows "
        "as prev | transaction k, l span = 1h timeshift = 0 maxevents = 10 "
        '| replacenull e = "none", n = -1 | target type = dataset append = true saved_one'
    )
    pipeline = parse_query(text)
    join, union_name, union_query, expand, window, transaction, replace, target = pipeline.stages
    assert isinstance(join, ast.JoinStage)
    assert (join.kind, join.conflict, join.alias) == ("left", "both", "a")
    assert [type(s).__name__ for s in join.query.stages] == ["DatasetStage", "LimitStage"]
    assert isinstance(union_name, ast.UnionStage)
    assert union_name.query.stages == (ast.DatasetStage("quarantine", text.index("quarantine")),)
    assert isinstance(union_query, ast.UnionStage) and len(union_query.query.stages) == 1
    assert isinstance(expand, ast.ArrayExpandStage) and expand.limit == 3
    assert isinstance(window, ast.WindowCompStage)
    assert (window.function, window.alias, window.range_frame) == ("lag", "prev", False)
    assert [f.name for f in window.by] == ["a", "b"]
    assert [(k.field.name, k.descending) for k in window.sort] == [("t", True), ("u", False)]
    assert window.frame is not None and [b.offset for b in window.frame] == [-5, None]
    assert isinstance(transaction, ast.TransactionStage)
    assert transaction.span == datetime.timedelta(hours=1) and transaction.maxevents == 10
    assert transaction.timeshift == datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    assert isinstance(replace, ast.ReplaceNullStage) and len(replace.replacements) == 2
    assert isinstance(target, ast.TargetStage)
    assert (target.kind, target.name, target.append) == ("dataset", "saved_one", True)


def test_defaults_of_join_and_windowcomp_frames() -> None:
    (join,) = parse_query("join (limit 1) as s a = s.a").stages
    assert isinstance(join, ast.JoinStage) and (join.kind, join.conflict) == ("inner", "right")
    (window,) = parse_query("windowcomp sum(x) sort t between -1h frame_type = range as s").stages
    assert isinstance(window, ast.WindowCompStage) and window.range_frame
    assert window.frame is not None
    assert [b.offset for b in window.frame] == [-datetime.timedelta(hours=1), 0]


def test_saved_text_is_the_query_before_target() -> None:
    text = 'filter eventName = "x"\n  | fields eventName | target type = view names'
    compiled = compile_query(text)
    assert compiled.target is not None and compiled.target.kind == "view"
    assert compiled.saved_text == 'filter eventName = "x"\n  | fields eventName'
    assert compiled.sql() == compile_query(compiled.saved_text).sql()


# --- parameters ---------------------------------------------------------------------------------


def test_parameters_are_literals_of_the_kind_their_value_reads_as(
    con: duckdb.DuckDBPyConnection, fresh_con: duckdb.DuckDBPyConnection
) -> None:
    query = (
        "config timeframe = $window | filter eventName = $name and source_index >= $low "
        "| limit $rows | fields eventId"
    )
    assert query_parameters(query + " | filter $NAME != null") == ["window", "name", "low", "rows"]
    params = {"window": "7d", "name": "Get*", "low": "4", "rows": "9"}
    _, rows = run(con, query, params=params)
    assert {r[0] for r in rows} == {"e14", "e16"}
    _, rows = run(
        fresh_con, "filter eventTime > now() - $ago | fields eventId", params={"ago": "1h"}
    )
    assert {r[0] for r in rows} == {"e13", "e14", "e15"}


def test_a_parameter_in_a_list_gives_one_item_per_part(con: duckdb.DuckDBPyConnection) -> None:
    params = {"names": "StopLogging, DeleteTrail", "id": "e01"}
    _, rows = run(
        con, 'filter eventName in ($names, "ConsoleLogin") or eventId in ($id) | fields eventId',
        params=params,
    )  # fmt: skip
    assert {r[0] for r in rows} == {"e01", "e02", "e13", "e18", "e19"}


def test_a_parameter_value_cannot_change_the_query(con: duckdb.DuckDBPyConnection) -> None:
    hostile = '") or true | fields raw | limit 1 --'
    compiled = compile_query("filter eventName = $name", params={"name": hostile})
    assert con.execute(compiled.sql()).fetchall() == []
    assert compiled.sql() == (
        "SELECT * FROM cloudtrail WHERE LOWER(event_name) = '\") or true | fields raw | limit 1 --'"
    )
    quote = compile_query("filter eventName = $name", params={"name": "it's"})
    assert con.execute(quote.sql()).fetchall() == []


@pytest.mark.parametrize(
    ("query", "params", "at", "message"),
    [
        ("filter eventName = $name", {}, "$name", "no value for parameter $name"),
        ("limit $n", {"n": "ten"}, "$n", "whole number"),
        ("config timeframe = $t", {"t": "soon"}, "$t", "bad duration"),
        ("filter eventName in ($names)", {"names": " , "}, "$names", "is empty"),
    ],
)
def test_parameter_errors_point_at_the_parameter(
    query: str, params: dict[str, str], at: str, message: str
) -> None:
    error = error_for(query, params=params)
    assert message in error.message
    assert error.position == query.index(at)


# --- results on hand-made events ----------------------------------------------------------------


def test_join_reads_both_sides_and_keeps_the_query_value_where_asked(
    con: duckdb.DuckDBPyConnection,
) -> None:
    query = (
        'filter eventName = "ConsoleLogin" | fields eventId, userIdentity.arn as who, awsRegion '
        "| join type = left conflict_strategy = {} (filter readOnly = true "
        "| fields userIdentity.arn as who, awsRegion, eventId as read) as r who = r.who and "
        'r.awsRegion = "us-west-2" | sort eventId, read'
    )
    columns, rows = run(con, query.format("left"))
    assert columns == ["eventId", "who", "awsRegion", "read"]
    # Alice read nothing in us-west-2: the left join keeps her logins, unmatched.
    assert rows == [(e, ALICE, r, None) for e, r in
                    (("e01", "us-east-1"), ("e02", "us-east-1"), ("e19", "eu-west-1"))]  # fmt: skip
    _, rows = run(con, query.format("right").replace('r.awsRegion = "us-west-2"', "true"))
    assert {(r[0], r[2]) for r in rows} >= {("e01", "us-east-1"), ("e19", "us-east-1")}
    columns, _ = run(con, query.format("both"))
    assert columns == ["eventId", "who", "awsRegion", "r_who", "r_awsRegion", "read"]


def test_union_of_different_columns_and_types(con: duckdb.DuckDBPyConnection) -> None:
    columns, rows = run(
        con, 'filter eventId = "e01" | fields eventId, source_index as position '
        '| union (dataset = quarantine | filter position = 7 | fields position, source)',
    )  # fmt: skip
    assert columns == ["eventId", "position", "source"]
    assert sorted(rows, key=repr) == [("e01", 0, None), (None, 7, "a.json.gz")]
    # A column of two kinds (a time and text) becomes text on both sides.
    _, rows = run(
        con, 'filter eventId = "e01" | fields eventTime as t | union (dataset = quarantine '
        '| filter position = 7 | fields reason as t)',
    )  # fmt: skip
    assert {type(r[0]) for r in rows} == {str}


def test_windowcomp_and_replacenull_on_hand_made_events(con: duckdb.DuckDBPyConnection) -> None:
    _, rows = run(
        con, f'filter userIdentity.arn = "{BOB}" | windowcomp row_number() by userIdentity.arn '
        "sort eventTime as n | windowcomp count() as everyone | fields eventId, n, everyone "
        "| sort n",
    )  # fmt: skip
    assert [r[1] for r in rows] == [1, 2, 3, 4, 5, 6] and {r[2] for r in rows} == {6}
    _, rows = run(
        con, 'filter eventId in ("e08", "e09") | replacenull errorCode = 0, readOnly = "?" '
        "| sort eventId | fields errorCode, readOnly",
    )  # fmt: skip
    assert rows == [("AccessDenied", "false"), ("0", "false")]


def test_arrayexpand_of_an_array_and_of_text_that_is_not_one(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _, rows = run(con, "dataset = alerts | arrayexpand tactics | comp count() by tactics")
    assert rows == [("defense-evasion", 4)]
    # Not a JSON array (an object, or no value at all): no rows, no error.
    _, rows = run(con, "filter requestParameters != null | arrayexpand requestParameters")
    assert rows == []


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "at", "message"),
    [
        ("join (limit 1) x = 1", "x", "'as NAME'"),
        ("join type = outer (limit 1) as s x = s.x", "outer", "join type is one of"),
        ("join type = left type = left (limit 1) as s x = s.x", "type = left (", "given twice"),
        ("join (limit 1 as s x = s.x", "as", "')' to close the query"),
        ("join () as s x = s.x", "(", "empty"),
        ("join (limit 1 | target type = view v) as s x = s.x", "(", "end the whole query"),
        ("union (fields eventName", "", "')' to close the query"),
        ("arrayexpand resources limit 0", "0", "at least 1"),
        ("arrayexpand eventTime", "eventTime", "array or JSON text"),
        ("windowcomp lag(eventTime) by actor as p", "lag", "needs a sort"),
        ("windowcomp rank() sort eventTime between -1 and 0 as r", "-1", "no 'between'"),
        ("windowcomp rank(eventTime) sort eventTime as r", "rank", "takes 0 argument"),
        ("windowcomp lag(eventTime, eventName) sort eventTime as r", "eventName", "whole number"),
        ("windowcomp sum(source_index) between -1 and 0 as s", "-1", "needs a sort"),
        ("windowcomp sum(source_index) sort eventTime between 1 and -1 as s", "1 and", "after"),
        ("windowcomp count() sort eventTime between -1h and 0 as s", "-1h", "frame_type"),
        ("windowcomp count() sort eventTime between -2 and 0 frame_type = range as s", "-2",
         "duration"),
        ("windowcomp count() sort source_index between -1h and 0 frame_type = range as s",
         "-1h", "number"),
        ("windowcomp count() sort eventTime, eventId between -1h and 0 frame_type = range as s",
         "-1h", "exactly one"),
        ("windowcomp count() sort eventTime between x and 0 as s", "x", "frame bound"),
        ("windowcomp count() sort eventTime", "", "'as NAME'"),
        ("transaction accessKeyId maxevents = 5", "", "span"),
        ("transaction accessKeyId span = 1h span = 2h", "span = 2h", "given twice"),
        ("transaction accessKeyId span = 1h maxevents = 0", "0", "at least 1"),
        ('transaction accessKeyId span = 1h timeshift = "soon"', '"soon"', "not a time"),
        ("fields eventName | transaction eventName span = 1h", "transaction", "time"),
        ("replacenull errorCode = eventName", "eventName", "takes a value"),
        ("replacenull errorCode = 1, errorCode = 2", "errorCode = 2", "replaced twice"),
        ("target type = table x", "table", "target type is one of"),
        ("target x", "x", "'type = dataset'"),
        ("target type = view append = true vw", "vw", "cannot be appended"),
        ("target type = dataset 9lives", "9lives", "bad number"),
        ("target type = dataset my-set", "-", "'|' or the end"),
        ("target type = dataset x | limit 1", "target", "last stage"),
        ("limit 1 | target type = dataset alerts", "target", "cannot be replaced"),
    ],
)  # fmt: skip
def test_stage_errors_point_at_the_place(query: str, at: str, message: str) -> None:
    error = error_for(query)
    assert message in error.message, error.message
    assert error.position == (len(query) if at == "" else query.index(at))


@pytest.mark.parametrize(
    ("query", "at", "message", "suggestion"),
    [
        ("join type = innr (limit 1) as s a = s.a", "innr", "join type", "inner"),
        ("join conflict_strategy = lft (limit 1) as s a = s.a", "lft", "conflict", "left"),
        ("windowcomp row_numbr() sort eventTime as n", "row_numbr", "window function",
         "row_number"),
        ('filter extract_time(eventTime, "hours") = 1', '"hours"', "unknown part", "HOUR"),
        ("union cloudtral", "cloudtral", "unknown dataset", "cloudtrail"),
        ("join (filter x = 1) as s eventNme = s.x", "x = 1", "unknown field", None),
        ("join (limit 1) as s eventName = s.eventNme", "eventNme", "unknown field", "eventName"),
    ],
)  # fmt: skip
def test_stage_names_are_suggested(
    query: str, at: str, message: str, suggestion: str | None
) -> None:
    error = error_for(query)
    assert message in error.message
    assert error.position == query.rindex(at)
    assert error.suggestion == suggestion


_WORDS = st.sampled_from(
    [
        "join", "union", "arrayexpand", "windowcomp", "transaction", "replacenull", "target",
        "type", "=", "inner", "left", "both", "conflict_strategy", "(", ")", "as", "s", "s.x",
        "x", "|", ",", "limit", "1", "-1", "0", "null", "between", "and", "frame_type", "range",
        "rows", "sort", "by", "span", "1h", "timeshift", "maxevents", "dataset", "view",
        "append", "true", "lag(x)", "row_number()", "count()", "$p", "resources", "cloudtrail",
        "alerts", '"v"', "filter", "eventTime", "@element", '"@element"', "arraymap(", "split(",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_WORDS, max_size=25).map(" ".join))
def test_near_miss_stage_queries_raise_only_query_error(text: str) -> None:
    try:
        compiled = compile_query(text, params={"p": "1"})
        compiled.sql("duckdb")
        compiled.sql("spark")
        compiled.sql("trino")
    except QueryError as error:
        assert error.position is None or 0 <= error.position <= len(text)
        error.render()
