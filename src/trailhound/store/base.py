"""The extension point of the store: a query backend, the only way a stage reads the lake.

DuckDB is the embedded default (:mod:`trailhound.store.engine`); a distributed engine (Spark) is
one more backend. A backend runs compiled queries over the datasets (``cloudtrail``,
``cloud_audit_logs``, the state tables) and renders them in its own SQL dialect. Writing the lake
is not a backend's business: files are written through :mod:`trailhound.store.lake`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sqlglot import exp

from trailhound.registry import Registry


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of one query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


class Backend(Protocol):
    """A query engine over one data directory's lake and state."""

    name: ClassVar[str]  # "duckdb", "spark", ...
    dialect: ClassVar[str]  # the query dialect (trailhound.query.dialects) it renders with

    def execute(self, query: exp.Expr | str, params: Sequence[object] = ()) -> QueryResult:
        """Run one query (a compiled expression, or SQL text in this backend's dialect)."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...


BACKENDS: Registry[type[Backend]] = Registry("store backend", group="trailhound.backends")
BACKENDS.register_lazy("duckdb", "trailhound.store.duckdb:DuckDBBackend")
BACKENDS.register_lazy("spark", "trailhound.store.spark:SparkBackend")
