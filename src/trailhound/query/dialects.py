"""The SQL dialects a compiled query renders in, registered by name.

Built-ins register themselves the way a third party would: with :func:`register_dialect`. The
compiled tree is dialect-neutral; where sqlglot's generator for a dialect gets a node's meaning
wrong, the dialect rewrites that node first (its ``transforms``), the way a sqlglot dialect
carries a table of ``TRANSFORMS``. DuckDB, which runs the queries, needs none: the tree is
written so that sqlglot renders it right for DuckDB as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from trailhound.errors import QueryError
from trailhound.query.base import QueryDialect

DIALECTS: dict[str, QueryDialect] = {}
Transform = Callable[[exp.Expr], exp.Expr]


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
    transforms: ClassVar[tuple[Transform, ...]] = ()

    def generate(self, expression: exp.Expr, *, pretty: bool = False) -> str:
        """The SQL text of ``expression``, from sqlglot's generator for this dialect."""
        for transform in self.transforms:
            expression = expression.transform(transform)  # transform() works on a copy
        return expression.sql(dialect=self.sqlglot_name, pretty=pretty)


_LETTERS = re.compile(r"(%.)|([A-Za-z]+)")


def quote_format_letters(node: exp.Expr) -> exp.Expr:
    """Quote the literal letters of a strftime format (``T`` in ``%Y-%m-%dT%H``): Spark's
    patterns read every letter as a field."""
    if isinstance(node, (exp.TimeToStr, exp.StrToTime)):
        fmt = node.args.get("format")
        if isinstance(fmt, exp.Literal) and fmt.is_string:
            quoted = _LETTERS.sub(lambda m: m.group(1) or f"'{m.group(2)}'", fmt.this)
            if quoted != fmt.this:
                node = node.copy()
                node.set("format", exp.Literal.string(quoted))
    return node


def iso_weekday_from_weekday(node: exp.Expr) -> exp.Expr:
    """ISO day of the week (Monday 1 … Sunday 7) as Spark's ``WEEKDAY`` (Monday 0) + 1."""
    if isinstance(node, exp.DayOfWeekIso):
        weekday = exp.Anonymous(this="WEEKDAY", expressions=[node.this.copy()])
        return exp.Paren(this=exp.Add(this=weekday, expression=exp.Literal.number(1)))
    return node


def try_cast_in_ansi_mode(node: exp.Expr) -> exp.Expr:
    """A TRY_CAST as Spark's TRY_CAST: sqlglot writes a plain CAST, which returns NULL on a bad
    value only with ANSI mode off, and Spark 4 (like Databricks SQL) runs with it on."""
    if isinstance(node, exp.TryCast) and not node.args.get("safe"):
        node = node.copy()
        node.set("safe", True)
    return node


def try_parse_timestamp(node: exp.Expr) -> exp.Expr:
    """A parse that yields NULL on text it cannot read, as Spark's TRY_TO_TIMESTAMP (with the
    pattern sqlglot writes for TO_TIMESTAMP, which fails on such text in ANSI mode)."""
    if isinstance(node, exp.StrToTime) and node.args.get("safe"):
        # Replacing the node stops the walk at it: rewrite what it holds here.
        text = node.this.transform(try_parse_timestamp)
        pattern = Dialect.get_or_raise("spark").generator().format_time(node)
        arguments = [text] if pattern is None else [text, sqlglot.parse_one(pattern, "spark")]
        return exp.Anonymous(this="TRY_TO_TIMESTAMP", expressions=arguments)
    return node


def json_array_of_text(node: exp.Expr) -> exp.Expr:
    """A JSON array as text elements: Trino casts only scalars to VARCHAR, so cast to an array
    of JSON and turn each element into its text (a string's value, an object's JSON)."""
    if (
        isinstance(node, (exp.Cast, exp.TryCast))
        and isinstance(node.this, exp.JSONExtract)
        and node.to.is_type("ARRAY")
        and node.to.expressions
        and node.to.expressions[0].is_type(*exp.DataType.TEXT_TYPES)
    ):
        element = exp.to_identifier("_th_json")
        as_json = type(node)(this=node.this.copy(), to=exp.DataType.build("ARRAY<JSON>"))
        text = exp.Coalesce(
            this=exp.JSONExtractScalar(
                this=exp.Column(this=element.copy()), expression=exp.Literal.string("$")
            ),
            expressions=[exp.JSONFormat(this=exp.Column(this=element.copy()))],
        )
        return exp.Transform(this=as_json, expression=exp.Lambda(this=text, expressions=[element]))
    return node


def inline_regexp_flags(node: exp.Expr) -> exp.Expr:
    """Regular-expression flags (``i``, ``m``, ``s``) as an inline ``(?ims)`` group: Spark's
    RLIKE and Trino's REGEXP_LIKE take no flags argument, and sqlglot drops it for Spark."""
    if isinstance(node, exp.RegexpLike):
        flag = node.args.get("flag")
        pattern = node.expression
        if isinstance(flag, exp.Literal) and flag.this and isinstance(pattern, exp.Literal):
            node = node.copy()
            node.set("expression", exp.Literal.string(f"(?{flag.this}){pattern.this}"))
            node.set("flag", None)
    return node


def unmaterialized_ctes(node: exp.Expr) -> exp.Expr:
    """A plain WITH: ``AS MATERIALIZED`` (a DuckDB and PostgreSQL planner hint) is not Spark or
    Trino SQL, and their planners decide for themselves."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node = node.copy()
        node.set("materialized", None)
    return node


class DuckDBDialect(SqlglotDialect):
    """DuckDB: the local query engine (the default)."""

    name = "duckdb"
    sqlglot_name = "duckdb"


class SparkDialect(SqlglotDialect):
    """Apache Spark SQL, for scale-out over the same Parquet lake."""

    name = "spark"
    sqlglot_name = "spark"
    transforms = (
        quote_format_letters,
        iso_weekday_from_weekday,
        try_cast_in_ansi_mode,
        try_parse_timestamp,  # after quote_format_letters, which rewrites the pattern it reads
        inline_regexp_flags,
        unmaterialized_ctes,
    )


class TrinoDialect(SqlglotDialect):
    """Trino (and Amazon Athena engine v3)."""

    name = "trino"
    sqlglot_name = "trino"
    transforms = (json_array_of_text, inline_regexp_flags, unmaterialized_ctes)


for _dialect in (DuckDBDialect(), SparkDialect(), TrinoDialect()):
    register_dialect(_dialect)
