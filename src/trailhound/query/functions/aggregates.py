"""The aggregates of ``comp``: counts, sums, extremes, averages, value lists, first and last.

``earliest``/``latest`` are the value at the least/greatest time (``ARG_MIN``/``ARG_MAX`` over
the dataset's time column) and ``values`` the sorted distinct non-null values.
"""

from __future__ import annotations

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.registry import aggregate
from trailhound.query.scope import column
from trailhound.query.values import Typed, parenthesize


def _argument(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    assert node.argument is not None  # the registry checked that the aggregate has one
    return context.value(node.argument)


@aggregate("count", needs_argument=False)
def count(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    """``count()``: rows; ``count(x)``: rows where ``x`` is not NULL."""
    if node.argument is None:
        return Typed(exp.Count(this=exp.Star()), "BIGINT")
    return Typed(exp.Count(this=_argument(context, node).expression), "BIGINT")


@aggregate("count_distinct")
def count_distinct(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    """``count_distinct(x)``: how many different non-NULL values."""
    value = _argument(context, node).expression
    return Typed(exp.Count(this=exp.Distinct(expressions=[value])), "BIGINT")


@aggregate("values")
def values(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    """``values(x)``: the sorted list of different non-NULL values."""
    value = _argument(context, node).expression
    not_null = exp.not_(exp.Is(this=parenthesize(value.copy()), expression=exp.Null()))
    collected = exp.Filter(
        this=exp.ArrayAgg(this=exp.Distinct(expressions=[value])),
        expression=exp.Where(this=not_null),
    )
    return Typed(exp.ArraySort(this=collected), None)


@aggregate("earliest", "latest")
def earliest_or_latest(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    """``earliest(x)``/``latest(x)``: the value at the first/last event."""
    argument = _argument(context, node)
    time_column = context.scope.dataset.time_column
    carrier = context.scope.time_carrier()
    if carrier is None:
        reason = (
            f"the time column {time_column}, which an earlier stage dropped"
            if time_column is not None
            else f"a time column, which dataset {context.scope.dataset.name} has none of"
        )
        raise context.error(f"{node.function}() needs {reason}", node.position)
    pick = exp.ArgMin if node.function == "earliest" else exp.ArgMax
    return Typed(pick(this=argument.expression, expression=column(carrier.name)), argument.sql_type)


_SIMPLE: dict[str, type[exp.Expr]] = {
    "sum": exp.Sum,
    "min": exp.Min,
    "max": exp.Max,
    "avg": exp.Avg,
}


@aggregate(*_SIMPLE)
def simple(context: ExpressionContext, node: ast.Aggregate) -> Typed:
    """``sum(x) min(x) max(x) avg(x)``."""
    argument = _argument(context, node)
    return Typed(
        _SIMPLE[node.function](this=argument.expression),
        result_type(node.function, argument.sql_type),
    )


def result_type(function: str, argument_type: str | None) -> str | None:
    """The type of ``sum min max avg count`` over values of ``argument_type``."""
    if function == "count":
        return "BIGINT"
    if function == "avg":
        return "DOUBLE"
    if function == "sum" and argument_type not in ("BIGINT", "DOUBLE"):
        return None
    return argument_type
