"""Compiled values and their SQL types: what the expression compiler passes around."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass

from sqlglot import exp

from trailhound.query import ast

TEXT = "VARCHAR"
BOOLEAN = "BOOLEAN"
INTERVAL = "INTERVAL"
_FAMILIES = {
    TEXT: "text", BOOLEAN: "boolean", "BIGINT": "number", "DOUBLE": "number",
    "TIMESTAMPTZ": "time", "TIMESTAMP": "time", "DATE": "time", INTERVAL: "interval",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Typed:
    """A compiled expression and its SQL type, if known."""

    expression: exp.Expr
    sql_type: str | None


def parenthesize(expression: exp.Expr) -> exp.Expr:
    """Wrap an operator expression in parentheses so that it nests safely in another."""
    if isinstance(expression, (exp.Binary, exp.Not, exp.Between, exp.In, exp.Neg)):
        return exp.Paren(this=expression)
    return expression


def as_text(typed: Typed) -> exp.Expr:
    """The expression as text, cast unless it is known to be text already."""
    if typed.sql_type == TEXT:
        return typed.expression
    return exp.cast(typed.expression, TEXT)


def textual(sql_type: str | None) -> bool:
    """True for text and for values of unknown type (compared as text)."""
    return sql_type is None or sql_type == TEXT


def family(sql_type: str | None) -> str | None:
    """What kind of value a SQL type holds: text, number, boolean, time; None if unknown."""
    return None if sql_type is None else _FAMILIES.get(sql_type)


def parses_as(text: str, kind: str) -> bool:
    """True if ``text`` reads as a value of family ``kind`` (number or ISO time)."""
    if kind == "number":
        try:
            float(text)
        except ValueError:
            return False
        return True
    if kind == "time":
        try:
            datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            return False
        return True
    return False


def closest(name: str, options: list[str]) -> str | None:
    """The option nearest to ``name``, if one is near enough."""
    match = difflib.get_close_matches(name.lower(), options, n=1)
    return match[0] if match else None


def position_of(node: ast.Expr) -> int:
    """Where an expression starts in the query (its left-most part)."""
    if isinstance(node, (ast.Binary, ast.InList)):
        return position_of(node.left if isinstance(node, ast.Binary) else node.operand)
    return node.position


TEXT_ARRAY = "VARCHAR[]"


def array_of(sql_type: str | None) -> str | None:
    """The type of an array of ``sql_type`` values (None if the element type is unknown)."""
    return None if sql_type is None else f"{sql_type}[]"


def element_of(sql_type: str | None) -> str | None:
    """The element type of an array type; None if unknown or not an array."""
    if sql_type is None or not sql_type.endswith("[]"):
        return None
    return sql_type[:-2]


def is_array(sql_type: str | None) -> bool:
    """True for a known array type."""
    return sql_type is not None and sql_type.endswith("[]")


def common_type(types: list[str | None]) -> str | None:
    """The one type all of ``types`` share (NULLs aside), else None; two numbers are DOUBLE."""
    known = {t for t in types if t is not None}
    if len(known) == 1:
        return known.pop()
    if known and known <= {"BIGINT", "DOUBLE"}:
        return "DOUBLE"
    return None
