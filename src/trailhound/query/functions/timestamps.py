"""Time functions: now, differences, parts, formatting, parsing and epoch seconds.

Formats use strftime codes (``%Y-%m-%d %H:%M:%S``), which each dialect turns into its own
(Spark's ``yyyy-MM-dd HH:mm:ss``). Times are UTC, the session time zone of the query engine.
"""

from __future__ import annotations

import re

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.functions.arguments import string_argument
from trailhound.query.registry import function
from trailhound.query.values import TEXT, Typed, as_text, closest, family, position_of

# timestamp_diff units → milliseconds
_TIME_UNITS = {
    "millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000,
}  # fmt: skip
# extract_time parts; DAYOFWEEK counts from Sunday = 1 to Saturday = 7, as XQL does.
_PARTS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "DAYOFWEEK", "DAYOFYEAR", "HOUR", "MINUTE",
          "SECOND")  # fmt: skip
_FORMAT_CODES = frozenset("YymdHIMSpjaAbBzZ%")
_FORMAT_CODE = re.compile(r"%(.)|%$")


@function("now", arguments=(0, 0))
def now(context: ExpressionContext, call: ast.Call) -> Typed:
    """``now()``: the current time, when the query runs."""
    return Typed(exp.CurrentTimestamp(), "TIMESTAMPTZ")


def _time(context: ExpressionContext, call: ast.Call, index: int) -> exp.Expr:
    """Argument ``index``, which must be a time (or of unknown type)."""
    value = context.value(call.args[index])
    if family(value.sql_type) not in (None, "time"):
        raise context.error(
            f"{call.name}() needs a time, not a {value.sql_type} value",
            position_of(call.args[index]),
        )
    return value.expression


@function("timestamp_diff", arguments=(3, 3))
def timestamp_diff(context: ExpressionContext, call: ast.Call) -> Typed:
    """``timestamp_diff(later, earlier, "unit")``: whole units elapsed."""
    unit = string_argument(context, call, 2, f"a unit ({', '.join(_TIME_UNITS)})")
    if unit.value.lower() not in _TIME_UNITS:
        close = closest(unit.value.lower(), [*_TIME_UNITS])
        raise context.error(f"unknown time unit {unit.value!r}", unit.position, close)
    later, earlier = context.value(call.args[0]), context.value(call.args[1])
    # Whole units elapsed, the same on every engine: DuckDB's DATE_DIFF counts unit
    # boundaries crossed, so count milliseconds and divide, truncating toward zero.
    difference: exp.Expr = exp.TimestampDiff(
        this=later.expression, expression=earlier.expression, unit=exp.var("MILLISECOND")
    )
    size = _TIME_UNITS[unit.value.lower()]
    if size != 1:
        difference = exp.IntDiv(this=difference, expression=exp.Literal.number(size))
    return Typed(difference, "BIGINT")


@function("extract_time", arguments=(2, 2))
def extract_time(context: ExpressionContext, call: ast.Call) -> Typed:
    """``extract_time(time, "HOUR")``: one part of a time as a number."""
    part = string_argument(context, call, 1, f"a part ({', '.join(_PARTS)})")
    name = part.value.upper()
    if name not in _PARTS:
        close = closest(part.value.lower(), [p.lower() for p in _PARTS])
        raise context.error(
            f"unknown part {part.value!r}; parts are {', '.join(_PARTS)}",
            part.position,
            close.upper() if close else None,
        )
    time = _time(context, call, 0)
    result: exp.Expr
    if name == "DAYOFWEEK":
        # ISO counts Monday = 1 … Sunday = 7; move Sunday to the front.
        iso = exp.Paren(
            this=exp.Mod(this=exp.DayOfWeekIso(this=time), expression=exp.Literal.number(7))
        )
        result = exp.Add(this=iso, expression=exp.Literal.number(1))
    elif name == "DAYOFYEAR":
        result = exp.DayOfYear(this=time)
    elif name == "WEEK":
        result = exp.WeekOfYear(this=time)
    else:
        result = exp.Extract(this=exp.var(name), expression=time)
        if name == "SECOND":  # Spark's has the fraction of a second too
            result = exp.cast(exp.Floor(this=result), "BIGINT")
    return Typed(result, "BIGINT")


def _format(context: ExpressionContext, call: ast.Call, index: int) -> exp.Literal:
    text = string_argument(context, call, index, 'a format such as "%Y-%m-%d %H:%M:%S"')
    for match in _FORMAT_CODE.finditer(text.value):
        code = match.group(1)
        if code is None or code not in _FORMAT_CODES:
            known = " ".join(f"%{c}" for c in sorted(_FORMAT_CODES - {"%"}))
            raise context.error(
                f"unknown format code {match.group()!r}; codes are {known} and %%",
                text.position + 1 + match.start(),
            )
    return exp.Literal.string(text.value)


@function("format_timestamp", arguments=(2, 2))
def format_timestamp(context: ExpressionContext, call: ast.Call) -> Typed:
    """``format_timestamp("%Y-%m-%d", time)``: the time as text in that format."""
    fmt = _format(context, call, 0)
    return Typed(exp.TimeToStr(this=_time(context, call, 1), format=fmt), TEXT)


@function("parse_timestamp", arguments=(2, 2))
def parse_timestamp(context: ExpressionContext, call: ast.Call) -> Typed:
    """``parse_timestamp("%d/%m/%Y %H:%M", text)``: the time the text holds; NULL if none."""
    fmt = _format(context, call, 0)
    text = as_text(context.value(call.args[1]))
    return Typed(exp.StrToTime(this=text, format=fmt, safe=True), "TIMESTAMP")


@function("timestamp_seconds")
def timestamp_seconds(context: ExpressionContext, call: ast.Call) -> Typed:
    """``timestamp_seconds(n)``: the time ``n`` seconds after 1970-01-01 00:00 UTC."""
    seconds = context.value(call.args[0])
    if family(seconds.sql_type) not in (None, "number", "text"):
        raise context.error(
            f"timestamp_seconds() needs a number, not a {seconds.sql_type} value",
            position_of(call.args[0]),
        )
    number = seconds.expression
    if family(seconds.sql_type) != "number":
        number = exp.TryCast(this=number, to=exp.DataType.build("DOUBLE"))
    return Typed(exp.UnixToTime(this=number), "TIMESTAMPTZ")
