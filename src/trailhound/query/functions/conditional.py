"""Choosing between values: ``if``, ``coalesce``, ``isnull``."""

from __future__ import annotations

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.registry import ANY, function
from trailhound.query.values import BOOLEAN, Typed, common_type, parenthesize


@function("coalesce", arguments=(1, ANY))
def coalesce(context: ExpressionContext, call: ast.Call) -> Typed:
    """``coalesce(a, b, …)``: the first value that is not NULL."""
    values = [context.value(a) for a in call.args]
    merged = exp.Coalesce(this=values[0].expression, expressions=[v.expression for v in values[1:]])
    return Typed(merged, values[0].sql_type)


@function("isnull")
def isnull(context: ExpressionContext, call: ast.Call) -> Typed:
    """``isnull(x)``: true where the value is NULL."""
    target = context.value(call.args[0]).expression
    return Typed(exp.Is(this=parenthesize(target), expression=exp.Null()), BOOLEAN)


@function("if", arguments=(2, ANY))
def if_(context: ExpressionContext, call: ast.Call) -> Typed:
    """``if(cond, then[, cond2, then2 …][, else])``: the value of the first true condition."""
    args = list(call.args)
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args) - 1, 2)]
    otherwise = context.value(args[-1]) if len(args) % 2 else None
    branches = [(context.condition(c), context.value(v)) for c, v in pairs]
    values = [v for _, v in branches] + ([otherwise] if otherwise is not None else [])
    case = exp.Case(
        ifs=[exp.If(this=c, true=v.expression) for c, v in branches],
        default=otherwise.expression if otherwise is not None else None,
    )
    return Typed(case, common_type([v.sql_type for v in values]))
