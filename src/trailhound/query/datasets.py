"""The datasets a query can read: their relation, time column, columns and field resolver.

The query engine creates one view per dataset, named after it. ``cloudtrail`` resolves fields
through :mod:`trailhound.schema` (CloudTrail names, physical names, dotted JSON paths, and the
``src_*`` intel enrichment columns the view joins);
``cloud_audit_logs`` has the OCSF names and also accepts the CloudTrail names of the same columns;
the state tables declared queryable in :mod:`trailhound.tables` (``quarantine``, ``alerts``) take
their column names only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from trailhound import schema
from trailhound.tables import TABLES, Table

Resolver = Callable[[str], tuple[str, str | None]]


@dataclass(frozen=True)
class Dataset:
    """One queryable dataset."""

    name: str
    relation: str  # the view or table the query reads
    time_column: str | None  # None for a saved dataset that kept no time
    columns: tuple[str, ...]
    resolver: Resolver  # field name as written → (column, JSON path or None); KeyError if unknown
    column_types: Mapping[str, str] = field(default_factory=dict)  # SQL type where known
    field_names: tuple[str, ...] = ()  # extra names offered as suggestions (e.g. CloudTrail names)
    partition_date_column: str | None = None  # a DATE column to prune on, if the data has one

    def resolve(self, name: str) -> tuple[str, str | None]:
        """Map a field name to ``(column, json_path)``; KeyError if there is no such field."""
        return self.resolver(name)


def _by_lower_name(columns: tuple[str, ...]) -> Resolver:
    """A resolver that accepts the column names, case-insensitively."""
    lowered = {c.lower(): c for c in columns}

    def resolve(name: str) -> tuple[str, str | None]:
        column = lowered.get(name.lower())
        if column is None:
            raise KeyError(name)
        return column, None

    return resolve


def _resolve_cloudtrail(name: str) -> tuple[str, str | None]:
    """:func:`trailhound.schema.resolve_field`, plus ``resources[0].ARN``-style array indexes."""
    try:
        return schema.resolve_field(name)
    except KeyError:
        head, bracket, rest = name.partition("[")
        column = schema.JSON_PREFIXES.get(head.lower()) if bracket else None
        if column is None:
            raise
        return column, "$[" + rest


def _cloudtrail() -> Dataset:
    return Dataset(
        name="cloudtrail",
        relation="cloudtrail",
        time_column="event_time",
        columns=tuple(c.name for c in schema.DATASET_COLUMNS),
        resolver=_resolve_cloudtrail,
        column_types={c.name: c.sql_type for c in schema.DATASET_COLUMNS},
        field_names=tuple(schema.field_names()),
        partition_date_column="date",
    )


_OCSF_EXTRA = {"cloud_provider": "VARCHAR", "status": "VARCHAR", "metadata_product_name": "VARCHAR"}


def _cloud_audit_logs() -> Dataset:
    ocsf = {c.name: c.ocsf for c in schema.EVENT_COLUMNS if c.ocsf is not None}
    columns = (*ocsf.values(), *_OCSF_EXTRA)
    types = {c.ocsf: c.sql_type for c in schema.EVENT_COLUMNS if c.ocsf is not None}
    types.update(_OCSF_EXTRA)
    own = _by_lower_name(columns)
    json_columns = {
        c.ocsf.lower(): c.ocsf
        for c in schema.EVENT_COLUMNS
        if c.ocsf is not None and c.kind is schema.ColumnKind.JSON
    }

    def resolve(name: str) -> tuple[str, str | None]:
        try:
            return own(name)
        except KeyError:
            pass
        head, dot, rest = name.partition(".")
        if dot and rest and head.lower() in json_columns:  # api_request_data.bucketName
            return json_columns[head.lower()], "$." + rest
        # A CloudTrail name for a column that has an OCSF name (eventName → api_operation).
        column, path = _resolve_cloudtrail(name)
        if column not in ocsf:
            raise KeyError(name)
        return ocsf[column], path

    sources = [c.source for c in schema.EVENT_COLUMNS if c.ocsf is not None and c.source]
    return Dataset(
        name="cloud_audit_logs",
        relation="cloud_audit_logs",
        time_column="time",
        columns=columns,
        resolver=resolve,
        column_types=types,
        field_names=(*columns, *sources),
    )


def _state_table(table: Table) -> Dataset:
    """A state table as a dataset: its queryable columns, by their own names only."""
    columns = tuple(c.name for c in table.columns if c.queryable)
    # List columns (an alert's tactics, event_ids…) are left without a type, as the compiler
    # has always read them.
    types = {c.name: c.type for c in table.columns if c.queryable and not c.type.endswith("]")}
    return Dataset(
        name=table.name,
        relation=table.name,
        time_column=table.time_column,
        columns=columns,
        resolver=_by_lower_name(columns),
        column_types=types,
        field_names=columns,
    )


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        _cloudtrail(),
        _cloud_audit_logs(),
        *(_state_table(t) for t in TABLES.values() if t.queryable),
    )
}
DEFAULT_DATASET = "cloudtrail"
