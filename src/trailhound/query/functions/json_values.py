"""Reading inside JSON text: one value (``json_extract``) or an array (``json_extract_array``).

Paths are JSONPath as CloudTrail users write them (``$.bucketName``, ``$.items[0].id``). An
array comes back with string elements as their text and objects as their JSON text, so that
``arraymap(json_extract_array(x, "$.items"), json_extract("@element", "$.id"))`` reads an object
array and ``arrayindex(json_extract_array(x, "$.names"), 0)`` a string array.
"""

from __future__ import annotations

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.functions.arguments import string_argument
from trailhound.query.registry import function
from trailhound.query.values import TEXT, TEXT_ARRAY, Typed, as_text


def _path(context: ExpressionContext, call: ast.Call) -> exp.Literal:
    path = string_argument(context, call, 1, 'a JSON path such as "$.key"')
    if not path.value.startswith("$"):
        raise context.error('a JSON path starts with $, e.g. "$.bucketName"', path.position)
    return exp.Literal.string(path.value)


def json_array(document: exp.Expr, path: exp.Expr) -> exp.Expr:
    """The array at ``path`` in the JSON text ``document`` as text elements; NULL if none."""
    return exp.TryCast(
        this=exp.JSONExtract(this=document, expression=path),
        to=exp.DataType.build("ARRAY<VARCHAR>"),
    )


@function("json_extract", "json_extract_scalar", arguments=(2, 2))
def json_extract(context: ExpressionContext, call: ast.Call) -> Typed:
    """``json_extract(json, "$.path")``: the value at the path, as text."""
    path = _path(context, call)
    document = as_text(context.value(call.args[0]))
    return Typed(exp.JSONExtractScalar(this=document, expression=path), TEXT)


@function("json_extract_array", arguments=(2, 2))
def json_extract_array(context: ExpressionContext, call: ast.Call) -> Typed:
    """``json_extract_array(json, "$.path")``: the array at the path, elements as text."""
    path = _path(context, call)
    return Typed(json_array(as_text(context.value(call.args[0])), path), TEXT_ARRAY)
