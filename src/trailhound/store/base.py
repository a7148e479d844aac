"""The extension point of the store: a query backend, the only way a stage reads the lake.

DuckDB is the embedded default (:mod:`trailhound.store.engine`); a distributed engine (Spark) is
one more backend. A backend runs compiled queries over the datasets (``cloudtrail``,
``cloud_audit_logs``, the state tables) and renders them in its own SQL dialect. Writing the lake
is not a backend's business: files are written through :mod:`trailhound.store.lake`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from trailhound.errors import StoreError
from trailhound.registry import Registry

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of one query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


class Backend(Protocol):
    """A query engine over one data directory's lake and state."""

    name: ClassVar[str]  # "duckdb", "spark", ...
    dialect: ClassVar[str]  # the query dialect (trailhound.query.dialects) it renders with

    def execute(self, query: str, params: Sequence[object] = ()) -> QueryResult:
        """Run one query: SQL text in this backend's dialect. A compiled tree is rendered for it
        by the query stage (``get_dialect(backend.dialect).generate(tree)``), above the store."""
        ...

    def close(self) -> None:
        """Release the engine's resources."""
        ...


BACKENDS: Registry[type[Backend]] = Registry("store backend", group="trailhound.backends")
BACKENDS.register_lazy("duckdb", "trailhound.store.duckdb:DuckDBBackend")
BACKENDS.register_lazy("spark", "trailhound.store.spark:SparkBackend")


def open_backend(name: str, data_dir: DataDir, **options: Any) -> Backend:
    """The backend registered as ``name`` over a snapshot of ``data_dir``'s lake, opened through
    its ``open`` class method (``options``: the backend's own, e.g. Spark's ``master``)."""
    kind = BACKENDS.get(name)
    opener: Callable[..., Backend] | None = getattr(kind, "open", None)
    if opener is None:
        raise StoreError(f"the {name!r} backend cannot open a data directory by itself")
    return opener(data_dir, **options)
