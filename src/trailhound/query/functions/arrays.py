"""Arrays: made by ``split`` and ``json_extract_array``, read by index, length, joined, mapped.

Indexes count from 0, and from the end when negative (-1 is the last element), as in XQL.
``arraymap`` and ``arrayfilter`` take an expression in which ``"@element"`` is the element.
"""

from __future__ import annotations

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.registry import function
from trailhound.query.values import (
    TEXT,
    TEXT_ARRAY,
    Typed,
    array_of,
    as_text,
    element_of,
    family,
    is_array,
    position_of,
)


def _array(context: ExpressionContext, call: ast.Call) -> Typed:
    """The first argument, which must be an array (or of unknown type)."""
    value = context.value(call.args[0])
    if value.sql_type is not None and not is_array(value.sql_type):
        hint = " (split() or json_extract_array() make one)" if family(value.sql_type) else ""
        raise context.error(
            f"{call.name}() needs an array, not a {value.sql_type} value{hint}",
            position_of(call.args[0]),
        )
    return value


@function("split", arguments=(2, 2))
def split(context: ExpressionContext, call: ast.Call) -> Typed:
    """``split(x, ",")``: the text cut at every delimiter, as an array."""
    text = as_text(context.value(call.args[0]))
    delimiter = as_text(context.value(call.args[1]))
    return Typed(exp.Split(this=text, expression=delimiter), TEXT_ARRAY)


@function("arrayindex", arguments=(2, 2))
def arrayindex(context: ExpressionContext, call: ast.Call) -> Typed:
    """``arrayindex(a, 0)``: the element at a 0-based index (-1: the last); NULL past the end."""
    array = _array(context, call)
    index_node = call.args[1]
    index = context.value(index_node)
    if family(index.sql_type) not in (None, "number"):
        raise context.error("arrayindex() needs a whole number index", position_of(index_node))
    position: exp.Expr
    literal = _literal_integer(index_node)
    if literal is not None:
        # SQL counts from 1; a negative index already counts from the end on every engine.
        position = exp.Literal.number(literal + 1 if literal >= 0 else literal)
    else:
        number = exp.cast(index.expression, "BIGINT")
        plus_one = exp.Add(this=number.copy(), expression=exp.Literal.number(1))
        non_negative = exp.GTE(this=number.copy(), expression=exp.Literal.number(0))
        position = exp.Case(ifs=[exp.If(this=non_negative, true=plus_one)], default=number)
    element = exp.Bracket(this=array.expression, expressions=[position], offset=1, safe=True)
    return Typed(element, element_of(array.sql_type))


def _literal_integer(node: ast.Expr) -> int | None:
    if isinstance(node, ast.Number) and node.text.isdigit() and len(node.text) <= 12:
        return int(node.text)
    if isinstance(node, ast.Unary) and node.operator == "-":
        inner = _literal_integer(node.operand)
        return None if inner is None else -inner
    return None


@function("array_length", "arraylength")
def array_length(context: ExpressionContext, call: ast.Call) -> Typed:
    """``array_length(a)``: how many elements."""
    return Typed(exp.ArraySize(this=_array(context, call).expression), "BIGINT")


@function("arraystring", arguments=(2, 2))
def arraystring(context: ExpressionContext, call: ast.Call) -> Typed:
    """``arraystring(a, ", ")``: the elements as text, joined by the delimiter (NULLs skipped)."""
    array = _array(context, call)
    elements = array.expression
    element_type = element_of(array.sql_type)
    if element_type not in (None, TEXT):
        _, variable = context.with_element(element_type)
        text = as_text(Typed(exp.Column(this=variable.copy()), element_type))
        elements = exp.Transform(
            this=elements, expression=exp.Lambda(this=text, expressions=[variable])
        )
    delimiter = as_text(context.value(call.args[1]))
    return Typed(exp.ArrayToString(this=elements, expression=delimiter), TEXT)


@function("arraymap", arguments=(2, 2))
def arraymap(context: ExpressionContext, call: ast.Call) -> Typed:
    """``arraymap(a, <expression of "@element">)``: the array of each element's result."""
    array = _array(context, call)
    inner, variable = context.with_element(element_of(array.sql_type))
    body = inner.value(call.args[1])
    mapped = exp.Transform(
        this=array.expression, expression=exp.Lambda(this=body.expression, expressions=[variable])
    )
    return Typed(mapped, array_of(body.sql_type))


@function("arrayfilter", arguments=(2, 2))
def arrayfilter(context: ExpressionContext, call: ast.Call) -> Typed:
    """``arrayfilter(a, <condition on "@element">)``: the elements for which it is true."""
    array = _array(context, call)
    inner, variable = context.with_element(element_of(array.sql_type))
    condition = inner.condition(call.args[1])
    kept = exp.ArrayFilter(
        this=array.expression, expression=exp.Lambda(this=condition, expressions=[variable])
    )
    return Typed(kept, array.sql_type)
