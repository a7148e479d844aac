"""The lake's and the enrichment table's columns as Spark DDL schemas (from ``schema.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import pyarrow as pa
from sqlglot import exp

from trailhound.schema import ALL_COLUMNS, ENRICHMENT_COLUMNS

_Arrow = TypeVar("_Arrow", pa.Table, pa.RecordBatch)


def spark_ddl(columns: Sequence[tuple[str, str]]) -> str:
    """``(name, DuckDB type)`` pairs as a Spark DDL schema."""
    return ", ".join(
        f"`{name}` {exp.DataType.build(sql_type, dialect='duckdb').sql('spark')}"
        for name, sql_type in columns
    )


def lake_schema() -> str:
    """The lake's columns as a Spark DDL schema, partition columns included."""
    return spark_ddl([(c.name, c.sql_type) for c in ALL_COLUMNS])


def enrichment_schema() -> str:
    """The enrichment table's columns read into ``cloudtrail``, as a Spark DDL schema."""
    return spark_ddl(
        [("source_ip_address", "VARCHAR"), *((c.name, c.sql_type) for c in ENRICHMENT_COLUMNS)]
    )


def spark_ready(data: _Arrow) -> _Arrow:
    """``data`` with the Arrow types Spark cannot take (extension types such as DuckDB's JSON)
    replaced by their storage types."""
    fields = [
        field.with_type(field.type.storage_type)
        if isinstance(field.type, pa.ExtensionType)
        else field
        for field in data.schema
    ]
    schema = pa.schema(fields)
    return data if schema == data.schema else data.cast(schema)
