"""Text functions: case, trimming, joining, length, and ``regextract``."""

from __future__ import annotations

import re

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.functions.arguments import string_argument
from trailhound.query.registry import ANY, function
from trailhound.query.values import TEXT, TEXT_ARRAY, Typed, as_text


@function("lowercase", "lower")
def lowercase(context: ExpressionContext, call: ast.Call) -> Typed:
    """``lowercase(x)``: the text in lower case."""
    return Typed(exp.Lower(this=as_text(context.value(call.args[0]))), TEXT)


@function("uppercase", "upper")
def uppercase(context: ExpressionContext, call: ast.Call) -> Typed:
    """``uppercase(x)``: the text in upper case."""
    return Typed(exp.Upper(this=as_text(context.value(call.args[0]))), TEXT)


@function("concat", arguments=(1, ANY))
def concat(context: ExpressionContext, call: ast.Call) -> Typed:
    """``concat(a, b, …)``: the texts joined (NULL if one is NULL)."""
    parts = [as_text(context.value(a)) for a in call.args]
    return Typed(exp.Concat(expressions=parts), TEXT)


@function("len", "length")
def length(context: ExpressionContext, call: ast.Call) -> Typed:
    """``len(x)``: the number of characters."""
    return Typed(exp.Length(this=as_text(context.value(call.args[0]))), "BIGINT")


def _trim(context: ExpressionContext, call: ast.Call, position: str | None) -> Typed:
    text = as_text(context.value(call.args[0]))
    characters = None
    if len(call.args) == 2:
        characters = string_argument(context, call, 1, "the characters to remove")
        if not characters.value:
            raise context.error("give at least one character to remove", characters.position)
    trimmed = exp.Trim(
        this=text,
        expression=exp.Literal.string(characters.value) if characters else None,
        position=position,
    )
    return Typed(trimmed, TEXT)


@function("trim", arguments=(1, 2))
def trim(context: ExpressionContext, call: ast.Call) -> Typed:
    """``trim(x[, "chars"])``: the text without leading and trailing spaces (or ``chars``)."""
    return _trim(context, call, None)


@function("ltrim", arguments=(1, 2))
def ltrim(context: ExpressionContext, call: ast.Call) -> Typed:
    """``ltrim(x[, "chars"])``: the text without leading spaces (or ``chars``)."""
    return _trim(context, call, "LEADING")


@function("rtrim", arguments=(1, 2))
def rtrim(context: ExpressionContext, call: ast.Call) -> Typed:
    """``rtrim(x[, "chars"])``: the text without trailing spaces (or ``chars``)."""
    return _trim(context, call, "TRAILING")


@function("regextract", arguments=(2, 2))
def regextract(context: ExpressionContext, call: ast.Call) -> Typed:
    """``regextract(x, "regex")``: every match, as an array; the first group if there is one."""
    pattern = string_argument(context, call, 1, "a regular expression")
    try:
        groups = re.compile(pattern.regex).groups
    except re.error as error:
        raise context.error(f"bad regular expression: {error}", pattern.position) from None
    matches = exp.RegexpExtractAll(
        this=as_text(context.value(call.args[0])),
        expression=exp.Literal.string(pattern.regex),
        group=exp.Literal.number(1 if groups else 0),
    )
    return Typed(matches, TEXT_ARRAY)
