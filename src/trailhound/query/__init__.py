"""The pipe query language: ``dataset = cloudtrail | filter … | comp count() by …`` → SQL.

The compiler's names are loaded on first use (PEP 562), so that a module of this package that
needs no compiling (a cached plan, ``durations``) does not pay for importing sqlglot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trailhound.query.compiler import CompiledQuery, compile_condition, compile_query

__all__ = ["CompiledQuery", "compile_condition", "compile_query"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from trailhound.query import compiler

        return getattr(compiler, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
