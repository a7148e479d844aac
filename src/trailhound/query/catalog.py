"""Datasets saved by queries (``| target type = dataset|view NAME``) as the compiler sees them.

A saved dataset is either rows stored in the state database (``dataset``: a table named
``dataset_<name>``) or a saved query that runs again each time it is read (``view``). Later
queries read either with ``dataset = NAME``, ``union NAME`` or inside a ``join``. Field names of
the dataset the rows came from still work on stored rows when a saved column carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trailhound.query.datasets import DATASETS, Dataset, Resolver

TABLE_PREFIX = "dataset_"


@dataclass(frozen=True, slots=True)
class SavedColumn:
    """A column of stored rows: its name, SQL type and the source column it carries."""

    name: str
    sql_type: str | None
    origin: str | None = None


@dataclass(frozen=True)
class SavedDataset:
    """A dataset a query saved: stored rows (``kind`` dataset) or a saved query (view)."""

    name: str
    kind: str  # "dataset" or "view"
    query: str  # the pipe query that made it (a view runs it again)
    source: str  # the dataset that query read
    params: Mapping[str, str] = field(default_factory=dict)
    columns: tuple[SavedColumn, ...] = ()
    time_column: str | None = None

    @property
    def relation(self) -> str:
        """The table holding the rows (stored datasets only)."""
        return TABLE_PREFIX + self.name

    def as_dataset(self) -> Dataset:
        """The stored rows as a dataset queries can read."""
        names = tuple(c.name for c in self.columns)
        return Dataset(
            name=self.name,
            relation=self.relation,
            time_column=self.time_column,
            columns=names,
            resolver=_saved_resolver(self.columns, DATASETS.get(self.source)),
            column_types={c.name: c.sql_type for c in self.columns if c.sql_type is not None},
            field_names=names,
        )


Catalog = Mapping[str, SavedDataset]


def _saved_resolver(columns: tuple[SavedColumn, ...], source: Dataset | None) -> Resolver:
    """Resolve the saved column names, then the source's field names onto the saved columns."""
    by_name = {c.name.lower(): c.name for c in columns}
    by_origin = {c.origin.lower(): c.name for c in columns if c.origin is not None}

    def resolve(name: str) -> tuple[str, str | None]:
        found = by_name.get(name.lower())
        if found is not None:
            return found, None
        if source is None:
            raise KeyError(name)
        column, path = source.resolve(name)
        saved = by_origin.get(column.lower()) or by_name.get(column.lower())
        if saved is None:
            raise KeyError(name)
        return saved, path

    return resolve
