"""Reading the arguments a function requires to be literals (a unit, a path, a pattern)."""

from __future__ import annotations

from trailhound.query import ast
from trailhound.query.base import ExpressionContext
from trailhound.query.values import position_of


def string_argument(
    context: ExpressionContext, call: ast.Call, index: int, what: str
) -> ast.String:
    """Argument ``index`` of ``call``, which must be a quoted string (``what`` says what for)."""
    argument = call.args[index]
    if not isinstance(argument, ast.String):
        raise context.error(f"{call.name}() needs {what} as a quoted string", position_of(argument))
    return argument


def integer_argument(context: ExpressionContext, call: ast.Call, index: int, what: str) -> int:
    """Argument ``index`` of ``call``, which must be a whole number, possibly negative."""
    argument = call.args[index]
    negative = isinstance(argument, ast.Unary) and argument.operator == "-"
    number = argument.operand if isinstance(argument, ast.Unary) and negative else argument
    if not isinstance(number, ast.Number) or not number.text.isdigit() or len(number.text) > 12:
        raise context.error(f"{call.name}() needs {what} as a whole number", position_of(argument))
    return -int(number.text) if negative else int(number.text)
