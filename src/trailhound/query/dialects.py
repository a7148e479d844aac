"""The SQL dialects a compiled query renders in, registered by name.

Built-ins register themselves the way a third party would: with :func:`register_dialect`.
"""

from __future__ import annotations

from typing import ClassVar

from sqlglot import exp

from trailhound.errors import QueryError
from trailhound.query.base import QueryDialect

DIALECTS: dict[str, QueryDialect] = {}


def register_dialect(dialect: QueryDialect) -> QueryDialect:
    """Make ``dialect`` available under its ``name``; returns it."""
    DIALECTS[dialect.name] = dialect
    return dialect


def get_dialect(name: str) -> QueryDialect:
    """The dialect called ``name``; QueryError listing the supported ones if there is none."""
    dialect = DIALECTS.get(name.lower())
    if dialect is None:
        supported = ", ".join(sorted(DIALECTS))
        raise QueryError(f"unknown SQL dialect {name!r}; supported: {supported}")
    return dialect


class SqlglotDialect:
    """A dialect sqlglot already generates; ``sqlglot_name`` is sqlglot's name for it."""

    name: ClassVar[str] = ""
    sqlglot_name: ClassVar[str] = ""

    def generate(self, expression: exp.Expr, *, pretty: bool = False) -> str:
        """The SQL text of ``expression``, from sqlglot's generator for this dialect."""
        return expression.sql(dialect=self.sqlglot_name, pretty=pretty)


class DuckDBDialect(SqlglotDialect):
    """DuckDB: the local query engine (the default)."""

    name = "duckdb"
    sqlglot_name = "duckdb"


class SparkDialect(SqlglotDialect):
    """Apache Spark SQL, for scale-out over the same Parquet lake."""

    name = "spark"
    sqlglot_name = "spark"


class TrinoDialect(SqlglotDialect):
    """Trino (and Amazon Athena engine v3)."""

    name = "trino"
    sqlglot_name = "trino"


for _dialect in (DuckDBDialect(), SparkDialect(), TrinoDialect()):
    register_dialect(_dialect)
