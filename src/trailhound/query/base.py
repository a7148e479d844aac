"""The extension point of the query stage: a SQL dialect a compiled query can be rendered in."""

from __future__ import annotations

from typing import ClassVar, Protocol

from sqlglot import exp


class QueryDialect(Protocol):
    """Renders a compiled query for one SQL engine; registered under its ``name``."""

    name: ClassVar[str]

    def generate(self, expression: exp.Expr, *, pretty: bool = False) -> str:
        """The SQL text of ``expression`` for this engine."""
        ...
