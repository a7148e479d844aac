"""Conversions between text, numbers and booleans, the same on every engine.

Engines disagree on casts at the edges (``CAST('3.7' AS BIGINT)`` is 4 on DuckDB, 3 on Spark and
an error on Trino), so the conversions are spelled out: text must look like the value, numbers
round to the nearest whole number, anything else is NULL.
"""

from __future__ import annotations

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.registry import function
from trailhound.query.values import BOOLEAN, TEXT, Typed, as_text, family

_WHOLE_NUMBER = r"^[+-]?[0-9]{1,18}$"


@function("to_string")
def to_string(context: ExpressionContext, call: ast.Call) -> Typed:
    """``to_string(x)``: the value as text."""
    return Typed(as_text(context.value(call.args[0])), TEXT)


@function("to_number", "to_float")
def to_number(context: ExpressionContext, call: ast.Call) -> Typed:
    """``to_float(x)``: the value as a number, NULL where it is not one."""
    number = exp.TryCast(
        this=context.value(call.args[0]).expression, to=exp.DataType.build("DOUBLE")
    )
    return Typed(number, "DOUBLE")


@function("to_integer")
def to_integer(context: ExpressionContext, call: ast.Call) -> Typed:
    """``to_integer(x)``: text holding a whole number, or a number rounded; else NULL."""
    value = context.value(call.args[0])
    kind = family(value.sql_type)
    if value.sql_type == "BIGINT":
        return Typed(value.expression, "BIGINT")
    if kind == "number":
        rounded = exp.Round(this=value.expression)
        return Typed(exp.cast(rounded, "BIGINT"), "BIGINT")
    if kind == "boolean":
        return Typed(exp.cast(value.expression, "BIGINT"), "BIGINT")
    text = exp.Trim(this=as_text(value))
    whole = exp.RegexpLike(this=text, expression=exp.Literal.string(_WHOLE_NUMBER))
    converted = exp.Case(ifs=[exp.If(this=whole, true=exp.cast(text.copy(), "BIGINT"))])
    return Typed(converted, "BIGINT")


@function("to_boolean")
def to_boolean(context: ExpressionContext, call: ast.Call) -> Typed:
    """``to_boolean(x)``: ``"true"``/``"false"`` in any case, or a number other than 0."""
    value = context.value(call.args[0])
    kind = family(value.sql_type)
    if kind == "boolean":
        return Typed(value.expression, BOOLEAN)
    if kind == "number":
        return Typed(exp.NEQ(this=value.expression, expression=exp.Literal.number(0)), BOOLEAN)
    text = exp.Lower(this=exp.Trim(this=as_text(value)))
    converted = exp.Case(
        this=text,
        ifs=[
            exp.If(this=exp.Literal.string("true"), true=exp.true()),
            exp.If(this=exp.Literal.string("false"), true=exp.false()),
        ],
    )
    return Typed(converted, BOOLEAN)
