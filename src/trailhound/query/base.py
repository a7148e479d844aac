"""The extension points of the query stage: SQL dialects and the language's functions.

A dialect renders a compiled query for one SQL engine. A function compiles one call of the
language (``lowercase(x)``, ``arraymap(a, …)``) into a sqlglot expression; it sees the expression
compiler only through :class:`ExpressionContext`, so that function modules never import the
compiler and the compiler never imports them (it looks functions up by name in
:mod:`trailhound.query.registry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from sqlglot import exp

if TYPE_CHECKING:
    from trailhound.errors import QueryError
    from trailhound.query import ast
    from trailhound.query.scope import Scope
    from trailhound.query.values import Typed


class QueryDialect(Protocol):
    """Renders a compiled query for one SQL engine; registered under its ``name``."""

    name: ClassVar[str]

    def generate(self, expression: exp.Expr, *, pretty: bool = False) -> str:
        """The SQL text of ``expression`` for this engine."""
        ...


class ExpressionContext(Protocol):
    """What a function may use of the expression compiler that compiles its call."""

    @property
    def scope(self) -> Scope:
        """The columns the expression reads."""
        ...

    def value(self, node: ast.Expr) -> Typed:
        """Compile an argument."""
        ...

    def condition(self, node: ast.Expr) -> exp.Expr:
        """Compile an argument that must be true or false."""
        ...

    def error(self, message: str, position: int, suggestion: str | None = None) -> QueryError:
        """A QueryError pointing at ``position`` in the query."""
        ...

    def with_element(self, sql_type: str | None) -> tuple[ExpressionContext, exp.Identifier]:
        """A context in which ``"@element"`` is one element of an array (for a lambda)."""
        ...
