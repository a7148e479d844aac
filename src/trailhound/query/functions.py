"""The functions of the query language: scalar functions and ``comp`` aggregates.

Each scalar function is a small function ``(compiler, call) -> Typed`` registered in
``FUNCTIONS`` with its arity; ``earliest``/``latest`` are the value at the least/greatest time
(``ARG_MIN``/``ARG_MAX`` over the dataset's time column) and ``values`` the sorted distinct
non-null values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.network import in_networks, parse_networks
from trailhound.query.scope import column
from trailhound.query.values import (
    BOOLEAN,
    TEXT,
    Typed,
    as_text,
    closest,
    parenthesize,
    position_of,
)

if TYPE_CHECKING:
    from trailhound.query.expressions import ExpressionCompiler

Handler = Callable[["ExpressionCompiler", ast.Call], Typed]
AGGREGATES: tuple[str, ...] = (
    "count", "count_distinct", "sum", "min", "max", "avg", "values", "earliest", "latest",
)  # fmt: skip
# timestamp_diff units → milliseconds
_TIME_UNITS = {
    "millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000,
}  # fmt: skip


def compile_call(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """Compile a scalar function call, checking its name and number of arguments."""
    spec = FUNCTIONS.get(node.name)
    if spec is None:
        if node.name in AGGREGATES:
            raise compiler.error(f"{node.name}() is an aggregate: use it in comp", node.position)
        close = closest(node.name, [*FUNCTIONS, *AGGREGATES])
        raise compiler.error(f"unknown function {node.name!r}", node.position, close)
    low, high, handler = spec
    if not low <= len(node.args) <= high:
        wanted = str(low) if low == high else f"at least {low}"
        raise compiler.error(
            f"{node.name}() takes {wanted} argument(s), got {len(node.args)}", node.position
        )
    return handler(compiler, node)


def lowercase(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``lowercase(x)``: the text in lower case."""
    return Typed(exp.Lower(this=as_text(compiler.value(node.args[0]))), TEXT)


def uppercase(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``uppercase(x)``: the text in upper case."""
    return Typed(exp.Upper(this=as_text(compiler.value(node.args[0]))), TEXT)


def concat(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``concat(a, b, …)``: the texts joined (NULL if one is NULL)."""
    parts = [as_text(compiler.value(a)) for a in node.args]
    return Typed(exp.Concat(expressions=parts), TEXT)


def coalesce(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``coalesce(a, b, …)``: the first value that is not NULL."""
    values = [compiler.value(a) for a in node.args]
    merged = exp.Coalesce(this=values[0].expression, expressions=[v.expression for v in values[1:]])
    return Typed(merged, values[0].sql_type)


def length(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``len(x)``: the number of characters."""
    return Typed(exp.Length(this=as_text(compiler.value(node.args[0]))), "BIGINT")


def to_string(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``to_string(x)``: the value as text."""
    return Typed(as_text(compiler.value(node.args[0])), TEXT)


def to_number(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``to_number(x)``: the value as a number, NULL where it is not one."""
    number = exp.TryCast(
        this=compiler.value(node.args[0]).expression, to=exp.DataType.build("DOUBLE")
    )
    return Typed(number, "DOUBLE")


def now(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``now()``: the current time, when the query runs."""
    return Typed(exp.CurrentTimestamp(), "TIMESTAMPTZ")


def isnull(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``isnull(x)``: true where the value is NULL."""
    target = compiler.value(node.args[0]).expression
    return Typed(exp.Is(this=parenthesize(target), expression=exp.Null()), BOOLEAN)


def _string_argument(
    compiler: ExpressionCompiler, node: ast.Call, index: int, what: str
) -> ast.String:
    argument = node.args[index]
    if not isinstance(argument, ast.String):
        raise compiler.error(
            f"{node.name}() needs {what} as a quoted string", position_of(argument)
        )
    return argument


def timestamp_diff(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``timestamp_diff(later, earlier, "unit")``: whole units elapsed."""
    unit = _string_argument(compiler, node, 2, f"a unit ({', '.join(_TIME_UNITS)})")
    if unit.value.lower() not in _TIME_UNITS:
        close = closest(unit.value.lower(), [*_TIME_UNITS])
        raise compiler.error(f"unknown time unit {unit.value!r}", unit.position, close)
    later, earlier = compiler.value(node.args[0]), compiler.value(node.args[1])
    # Whole units elapsed, the same on every engine: DuckDB's DATE_DIFF counts unit
    # boundaries crossed, so count milliseconds and divide, truncating toward zero.
    difference: exp.Expr = exp.TimestampDiff(
        this=later.expression, expression=earlier.expression, unit=exp.var("MILLISECOND")
    )
    size = _TIME_UNITS[unit.value.lower()]
    if size != 1:
        difference = exp.IntDiv(this=difference, expression=exp.Literal.number(size))
    return Typed(difference, "BIGINT")


def json_extract(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``json_extract(json, "$.path")``: the value at the path, as text."""
    path = _string_argument(compiler, node, 1, 'a JSON path such as "$.key"')
    if not path.value.startswith("$"):
        raise compiler.error('a JSON path starts with $, e.g. "$.bucketName"', path.position)
    document = as_text(compiler.value(node.args[0]))
    extract = exp.JSONExtractScalar(this=document, expression=exp.Literal.string(path.value))
    return Typed(extract, TEXT)


def incidr(compiler: ExpressionCompiler, node: ast.Call) -> Typed:
    """``incidr(ip, "cidr[, cidr…]")``: the address is in one of the networks."""
    cidr = _string_argument(compiler, node, 1, 'the network ("10.0.0.0/8")')
    try:
        networks = parse_networks(cidr.value)
    except ValueError as error:
        raise compiler.error(f"bad network {cidr.value!r}: {error}", cidr.position) from None
    address = as_text(compiler.value(node.args[0]))
    return Typed(in_networks(address, networks), BOOLEAN)


# --- aggregates ----------------------------------------------------------------------------


def compile_aggregate(compiler: ExpressionCompiler, node: ast.Aggregate) -> Typed:
    """Compile one ``comp`` aggregate."""
    name = node.function
    if name not in AGGREGATES:
        close = closest(name, list(AGGREGATES))
        raise compiler.error(f"unknown aggregate {name!r}", node.position, close)
    if node.argument is None:
        if name != "count":
            raise compiler.error(f"{name}() needs a field", node.position)
        return Typed(exp.Count(this=exp.Star()), "BIGINT")
    argument = compiler.value(node.argument)
    value = argument.expression
    if name == "count":
        return Typed(exp.Count(this=value), "BIGINT")
    if name == "count_distinct":
        return Typed(exp.Count(this=exp.Distinct(expressions=[value])), "BIGINT")
    if name == "values":
        not_null = exp.not_(exp.Is(this=parenthesize(value.copy()), expression=exp.Null()))
        collected = exp.Filter(
            this=exp.ArrayAgg(this=exp.Distinct(expressions=[value])),
            expression=exp.Where(this=not_null),
        )
        return Typed(exp.ArraySort(this=collected), None)
    if name in ("earliest", "latest"):
        time_column = compiler.scope.dataset.time_column
        carrier = compiler.scope.carrier(time_column)
        if carrier is None:
            raise compiler.error(
                f"{name}() needs the time column {time_column}, which an earlier stage dropped",
                node.position,
            )
        pick = exp.ArgMin if name == "earliest" else exp.ArgMax
        return Typed(pick(this=value, expression=column(carrier.name)), argument.sql_type)
    simple: dict[str, type[exp.Expr]] = {
        "sum": exp.Sum,
        "min": exp.Min,
        "max": exp.Max,
        "avg": exp.Avg,
    }
    sql_type = "DOUBLE" if name == "avg" else argument.sql_type
    if name == "sum" and sql_type not in ("BIGINT", "DOUBLE"):
        sql_type = None
    return Typed(simple[name](this=value), sql_type)


# name → (fewest arguments, most arguments, compiler)
_MANY = 99
FUNCTIONS: dict[str, tuple[int, int, Handler]] = {
    "lowercase": (1, 1, lowercase),
    "lower": (1, 1, lowercase),
    "uppercase": (1, 1, uppercase),
    "upper": (1, 1, uppercase),
    "concat": (1, _MANY, concat),
    "coalesce": (1, _MANY, coalesce),
    "len": (1, 1, length),
    "length": (1, 1, length),
    "to_string": (1, 1, to_string),
    "to_number": (1, 1, to_number),
    "now": (0, 0, now),
    "isnull": (1, 1, isnull),
    "timestamp_diff": (3, 3, timestamp_diff),
    "json_extract": (2, 2, json_extract),
    "json_extract_scalar": (2, 2, json_extract),
    "incidr": (2, 2, incidr),
}
