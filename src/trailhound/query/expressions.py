"""Compile query expressions (conditions, values, functions, aggregates) into sqlglot trees.

String comparisons are case-insensitive: ``=``, ``!=`` and ``in`` compare ``LOWER(x)`` with the
lower-cased literal; a literal with ``*`` wildcards, and ``contains``, become ``ILIKE`` with ``%``
and ``_`` escaped. ``~=`` is a regular expression match and stays case-sensitive (write ``(?i)``).
A literal compared with a column of a known non-text type is cast to that type, and a number
compared with a text column is compared as text (account IDs keep their leading zeros).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from sqlglot import exp

from trailhound.errors import QueryError
from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.durations import interval
from trailhound.query.registry import compile_aggregate, compile_call
from trailhound.query.scope import Scope, identifier
from trailhound.query.values import (
    BOOLEAN,
    INTERVAL,
    TEXT,
    Typed,
    as_text,
    family,
    parenthesize,
    parses_as,
    position_of,
    textual,
)

_MIRRORED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ORDERINGS: dict[str, type[exp.Binary]] = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
_ARITHMETIC: dict[str, type[exp.Binary]] = {
    "+": exp.Add,
    "-": exp.Sub,
    "*": exp.Mul,
    "/": exp.Div,
}


class Wildcard(Enum):
    """A wildcard inside a LIKE pattern: any run of characters, or exactly one."""

    ANY = "%"
    ONE = "_"


def like_pattern(parts: Iterable[str | Wildcard], *, contains: bool = False) -> str:
    """THE LIKE pattern (escape character ``\\``) of text and wildcards, for queries and rules.

    >>> like_pattern(["get", Wildcard.ANY, "policy_x"])
    'get%policy\\\\_x'
    """
    out = [
        part.value
        if isinstance(part, Wildcard)
        else part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for part in parts
    ]
    pattern = "".join(out)
    return f"%{pattern}%" if contains else pattern


def starred(value: str, wildcards: tuple[int, ...]) -> list[str | Wildcard]:
    """A query string as text and wildcards: each ``*`` at an offset in ``wildcards`` is one."""
    parts: list[str | Wildcard] = []
    start = 0
    for index in sorted({i for i in wildcards if 0 <= i < len(value)}):
        parts += [value[start:index], Wildcard.ANY]
        start = index + 1
    parts.append(value[start:])
    return parts


def ilike(target: exp.Expr, pattern: str) -> exp.Expr:
    """``target ILIKE pattern``, with an ESCAPE clause only when the pattern needs one."""
    node: exp.Expr = exp.ILike(this=parenthesize(target), expression=exp.Literal.string(pattern))
    if "\\" in pattern:
        node = exp.Escape(this=node, expression=exp.Literal.string("\\"))
    return node


def _equal(left: exp.Expr, right: exp.Expr, negate: bool) -> exp.Expr:
    kind = exp.NEQ if negate else exp.EQ
    return kind(this=parenthesize(left), expression=parenthesize(right))


ELEMENT = "@element"  # inside arraymap/arrayfilter: the array element at hand


def _chain(node: ast.Binary, operator: str) -> list[ast.Expr]:
    """The terms of a chain of one operator (``and``, ``or``), left to right, iteratively."""
    terms: list[ast.Expr] = []
    pending: list[ast.Expr] = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, ast.Binary) and current.operator == operator:
            pending += (current.right, current.left)
        else:
            terms.append(current)
    return terms


def _is_literal(node: ast.Expr) -> bool:
    return isinstance(node, (ast.String, ast.Number, ast.Constant))


def _is_element(node: ast.Expr) -> bool:
    """``"@element"`` (as XQL writes it) or a bare ``@element``."""
    if isinstance(node, ast.String):
        return node.value.lower() == ELEMENT and not node.wildcards
    return isinstance(node, ast.Field) and node.name.lower() == ELEMENT


class ExpressionCompiler:
    """Compiles expressions against one scope (the columns of the relation they read).

    Functions are looked up by name in :mod:`trailhound.query.registry`; inside the lambda of
    ``arraymap``/``arrayfilter`` a child compiler binds ``"@element"`` to the lambda's variable.
    """

    def __init__(
        self, scope: Scope, element: tuple[exp.Identifier, str | None] | None = None, depth: int = 0
    ) -> None:
        self._scope = scope
        self.element = element
        self.depth = depth

    @property
    def scope(self) -> Scope:
        """The columns the expressions read."""
        return self._scope

    def with_element(self, sql_type: str | None) -> tuple[ExpressionContext, exp.Identifier]:
        """A compiler for a lambda body, in which ``"@element"`` is the lambda's variable."""
        variable = identifier(f"_th_element{self.depth + 1}" if self.depth else "_th_element")
        return ExpressionCompiler(self.scope, (variable, sql_type), self.depth + 1), variable

    def is_literal(self, node: ast.Expr) -> bool:
        """A literal value; ``"@element"`` inside a lambda is the element, not a literal."""
        if self.element is not None and _is_element(node):
            return False
        return _is_literal(node)

    def error(self, message: str, position: int, suggestion: str | None = None) -> QueryError:
        """A QueryError at ``position`` in the query."""
        return QueryError(message, query=self.scope.query, position=position, suggestion=suggestion)

    # --- entry points --------------------------------------------------------------------------

    def condition(self, node: ast.Expr) -> exp.Expr:
        """Compile an expression that must be true or false."""
        typed = self.value(node)
        if typed.sql_type not in (None, BOOLEAN):
            raise self.error(
                f"expected a condition (true or false), found a {typed.sql_type} value",
                position_of(node),
            )
        return typed.expression

    def value(self, node: ast.Expr) -> Typed:
        """Compile any expression."""
        if _is_element(node):
            if self.element is not None:
                variable, sql_type = self.element
                return Typed(exp.Column(this=variable.copy()), sql_type)
            if isinstance(node, ast.Field):
                raise self.error(
                    "@element only means something inside arraymap() or arrayfilter()",
                    node.position,
                )
        if isinstance(node, ast.Field):
            resolved = self.scope.resolve(node)
            return Typed(resolved.expression, resolved.sql_type)
        if isinstance(node, ast.String):
            return Typed(exp.Literal.string(node.value), TEXT)
        if isinstance(node, ast.Number):
            is_float = any(c in node.text for c in ".eE")
            return Typed(exp.Literal.number(node.text), "DOUBLE" if is_float else "BIGINT")
        if isinstance(node, ast.Duration):
            return Typed(interval(node.value), INTERVAL)
        if isinstance(node, ast.Constant):
            if node.value is None:
                return Typed(exp.Null(), None)
            return Typed(exp.Boolean(this=node.value), BOOLEAN)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Unary):
            if node.operator == "not":
                return Typed(exp.not_(self.condition(node.operand)), BOOLEAN)
            operand = self.value(node.operand)
            return Typed(exp.Neg(this=parenthesize(operand.expression)), operand.sql_type)
        if isinstance(node, ast.InList):
            return Typed(self.in_list(node), BOOLEAN)
        return self.binary(node)

    # --- operators -----------------------------------------------------------------------------

    def binary(self, node: ast.Binary) -> Typed:
        """Compile and/or, comparisons and arithmetic."""
        operator = node.operator
        if operator in ("and", "or"):
            # One flat chain however long (``a or b or c`` rather than ``(a or b) or c``): a
            # filter of hundreds of alternatives must not nest hundreds of levels deep.
            combine = exp.and_ if operator == "and" else exp.or_
            terms = [self.condition(term) for term in _chain(node, operator)]
            return Typed(combine(*terms), BOOLEAN)
        if operator in _ARITHMETIC:
            left, right = self.value(node.left), self.value(node.right)
            types = {left.sql_type, right.sql_type}
            sql_type = "BIGINT" if types == {"BIGINT"} and operator != "/" else None
            if sql_type is None and types <= {"BIGINT", "DOUBLE"}:
                sql_type = "DOUBLE"
            if operator in ("+", "-") and INTERVAL in types:
                # A time moved by a duration is a time: now() - 1h.
                moved = [t for t in (left.sql_type, right.sql_type) if family(t) == "time"]
                sql_type = moved[0] if moved else None
            operation = _ARITHMETIC[operator](
                this=parenthesize(left.expression), expression=parenthesize(right.expression)
            )
            return Typed(operation, sql_type)
        if operator == "contains":
            return Typed(self.contains(node), BOOLEAN)
        if operator == "~=":
            return Typed(self.regex(node), BOOLEAN)
        left_node, right_node = node.left, node.right
        if self.is_literal(left_node) and not self.is_literal(right_node):
            left_node, right_node, operator = right_node, left_node, _MIRRORED[operator]
        if operator in ("=", "!="):
            return Typed(self.equality(left_node, right_node, operator == "!="), BOOLEAN)
        return Typed(self.ordering(left_node, right_node, operator), BOOLEAN)

    def text(self, typed: Typed) -> exp.Expr:
        """The expression as text, cast unless it is known to be text already."""
        return as_text(typed)

    def literal_for(self, node: ast.Expr, target_type: str | None) -> Typed:
        """A literal, typed to compare cleanly with a value of ``target_type``.

        A literal that can never equal a value of that type is refused here, with its position,
        rather than left to fail when the query runs.
        """
        kind = family(target_type)
        if isinstance(node, ast.String) and kind not in (None, "text"):
            assert target_type is not None  # family(None) is None
            if kind == "boolean" and node.value.lower() in ("true", "false"):
                return Typed(exp.Boolean(this=node.value.lower() == "true"), BOOLEAN)
            if not parses_as(node.value, kind):
                raise self.error(
                    f"{node.value!r} is not a {kind} value, which this is compared with",
                    node.position,
                )
            return Typed(exp.cast(exp.Literal.string(node.value), target_type), target_type)
        if isinstance(node, ast.Number):
            if kind == "text":
                return Typed(exp.Literal.string(node.text), TEXT)
            if kind in ("boolean", "time"):
                raise self.error(f"a number cannot be compared with a {kind} value", node.position)
        if isinstance(node, ast.Constant) and node.value is not None and kind not in (
            None, "boolean",
        ):  # fmt: skip
            raise self.error(f"true/false cannot be compared with a {kind} value", node.position)
        return self.value(node)

    def comparable(self, left: Typed, right: Typed, node: ast.Expr) -> None:
        """Refuse comparing two values whose known types can never compare (time with text)."""
        families = {family(left.sql_type), family(right.sql_type)}
        if None not in families and len(families) > 1:
            described = " and ".join(sorted(str(f) for f in families))
            raise self.error(f"cannot compare {described} values", position_of(node))

    def equality(self, left: ast.Expr, right: ast.Expr, negate: bool) -> exp.Expr:
        """``left = right`` (or ``!=``): case-insensitive on text, wildcards, ``= null``."""
        target = self.value(left)
        if isinstance(right, ast.Constant) and right.value is None:
            check = exp.Is(this=parenthesize(target.expression), expression=exp.Null())
            return exp.not_(check) if negate else check
        literal_string = isinstance(right, ast.String) and self.is_literal(right)
        if literal_string and isinstance(right, ast.String) and right.wildcards:
            # A wildcard matches the text form of any value: eventTime = "2024-05-*".
            match = ilike(self.text(target), like_pattern(starred(right.value, right.wildcards)))
            return exp.not_(match) if negate else match
        if literal_string and isinstance(right, ast.String) and textual(target.sql_type):
            lowered = exp.Literal.string(right.value.lower())
            return _equal(exp.Lower(this=self.text(target)), lowered, negate)
        if self.is_literal(right):
            other = self.literal_for(right, target.sql_type)
        else:
            other = self.value(right)
            self.comparable(target, other, right)
        if target.sql_type == TEXT and other.sql_type == TEXT:
            return _equal(
                exp.Lower(this=target.expression), exp.Lower(this=other.expression), negate
            )
        return _equal(target.expression, other.expression, negate)

    def ordering(self, left: ast.Expr, right: ast.Expr, operator: str) -> exp.Expr:
        """``< <= > >=``; a text column against a number compares numerically (TRY_CAST)."""
        target = self.value(left)
        target_expression = target.expression
        if isinstance(right, ast.Number) and target.sql_type == TEXT:
            target_expression = exp.TryCast(this=target_expression, to=exp.DataType.build("DOUBLE"))
            other = self.value(right)
        elif self.is_literal(right):
            other = self.literal_for(right, target.sql_type)
        else:
            other = self.value(right)
            self.comparable(target, other, right)
        return _ORDERINGS[operator](
            this=parenthesize(target_expression), expression=parenthesize(other.expression)
        )

    def contains(self, node: ast.Binary) -> exp.Expr:
        """``x contains "text"``: a case-insensitive substring match (``*`` still a wildcard)."""
        right = node.right
        if isinstance(right, ast.Number):
            right = ast.String(right.text, right.position)
        if not isinstance(right, ast.String):
            raise self.error("contains needs a quoted string on its right", position_of(node.right))
        text = self.text(self.value(node.left))
        return ilike(text, like_pattern(starred(right.value, right.wildcards), contains=True))

    def regex(self, node: ast.Binary) -> exp.Expr:
        """``x ~= "regex"``: a regular-expression search (unanchored, case-sensitive)."""
        if not isinstance(node.right, ast.String):
            raise self.error("~= needs a quoted regular expression", position_of(node.right))
        try:
            re.compile(node.right.regex)
        except re.error as error:
            raise self.error(f"bad regular expression: {error}", node.right.position) from None
        text = self.text(self.value(node.left))
        return exp.RegexpLike(this=text, expression=exp.Literal.string(node.right.regex))

    def in_list(self, node: ast.InList) -> exp.Expr:
        """``x in (…)``: lower-cased IN for text, ILIKE for items with wildcards, IS NULL."""
        target = self.value(node.operand)
        parts: list[exp.Expr] = []
        plain: list[exp.Expr] = []
        # Text is compared lower-cased (numbers as their text); other types as they are.
        text_items = (ast.String, ast.Number) if target.sql_type == TEXT else (ast.String,)
        text_target = textual(target.sql_type) and all(
            isinstance(i, text_items) or (isinstance(i, ast.Constant) and i.value is None)
            for i in node.items
        )
        for item in node.items:
            if not self.is_literal(item):
                raise self.error("in (…) takes literal values only", position_of(item))
            if isinstance(item, ast.Constant) and item.value is None:
                parts.append(exp.Is(this=parenthesize(target.expression), expression=exp.Null()))
            elif isinstance(item, ast.String) and item.wildcards:
                pattern = like_pattern(starred(item.value, item.wildcards))
                parts.append(ilike(self.text(target), pattern))
            elif text_target and isinstance(item, ast.String):
                plain.append(exp.Literal.string(item.value.lower()))
            elif text_target and isinstance(item, ast.Number):
                plain.append(exp.Literal.string(item.text))
            else:
                plain.append(self.literal_for(item, target.sql_type).expression)
        if plain:
            subject = exp.Lower(this=self.text(target)) if text_target else target.expression
            if len(plain) == 1:
                parts.insert(0, exp.EQ(this=parenthesize(subject), expression=plain[0]))
            else:
                parts.insert(0, exp.In(this=parenthesize(subject), expressions=plain))
        condition = exp.or_(*parts) if len(parts) > 1 else parts[0]
        return exp.not_(condition) if node.negated else condition

    # --- functions ---------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Typed:
        """Compile a scalar function call."""
        return compile_call(self, node)

    def aggregate(self, node: ast.Aggregate) -> Typed:
        """Compile one ``comp`` aggregate."""
        return compile_aggregate(self, node)
