"""What a stage can see: the columns of the relation it reads, and how field names map onto them.

A scope is immutable; each stage that changes the columns (``fields``, ``alter``, ``comp`` …)
makes a new one, so later stages see names defined by earlier ones and lose names dropped by them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.tokens import Tokenizer

from trailhound.errors import QueryError
from trailhound.query import ast
from trailhound.query.datasets import Dataset
from trailhound.schema import PROMOTED_BY_PATH

_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def identifier(name: str) -> exp.Identifier:
    """An identifier, quoted unless it is lower-case snake case and no SQL keyword anywhere."""
    quoted = not _PLAIN_IDENTIFIER.fullmatch(name) or name.upper() in Tokenizer.KEYWORDS
    return exp.Identifier(this=name, quoted=quoted)


def column(name: str) -> exp.Column:
    """A reference to a column of the relation being read."""
    return exp.Column(this=identifier(name))


_PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[([0-9]+)\]")


def json_path(path: str) -> exp.Expr:
    """``$.a.b[0]`` as sqlglot's JSONPath, which each dialect writes in its own syntax.

    Keys that are not plain names come out quoted the way the dialect wants (``$.a."b c"`` for
    DuckDB, ``$.a['b c']`` for Spark). A path it cannot split stays a string literal.

    >>> print(json_path("$[0].ARN").sql("spark"))
    '$[0].ARN'
    >>> print(json_path("$.a.b c").sql("duckdb"))
    '$.a."b c"'
    """
    steps: list[exp.Expr] = [exp.JSONPathRoot()]
    position = 1
    while path.startswith("$") and position < len(path):
        step = _PATH_STEP.match(path, position)
        if step is None:
            return exp.Literal.string(path)
        key, index = step.groups()
        steps.append(
            exp.JSONPathKey(this=key) if key is not None else exp.JSONPathSubscript(this=int(index))
        )
        position = step.end()
    if not path.startswith("$") or len(steps) == 1:
        return exp.Literal.string(path)
    return exp.JSONPath(expressions=steps)


def json_extract(document: exp.Expr, path: str) -> exp.JSONExtractScalar:
    """The value at ``path`` inside the JSON text ``document``, as text (NULL where absent)."""
    return exp.JSONExtractScalar(this=document, expression=json_path(path))


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """One column of the current relation, its SQL type if known, and what it carries.

    ``origin`` is the dataset column whose values it holds unchanged, under this or another name
    (``fields eventName`` outputs ``eventName`` carrying ``event_name``); None if computed.
    """

    name: str
    sql_type: str | None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """A field reference compiled to SQL; ``column`` is set when it is a plain column."""

    expression: exp.Expr
    sql_type: str | None
    column: str | None


@dataclass(frozen=True)
class Scope:
    """The dataset, the query text (for errors) and the columns a stage reads."""

    dataset: Dataset
    query: str
    columns: tuple[ColumnInfo, ...]

    @classmethod
    def of_dataset(cls, dataset: Dataset, query: str) -> Scope:
        """The scope of the dataset itself: every one of its columns."""
        columns = tuple(ColumnInfo(c, dataset.column_types.get(c), c) for c in dataset.columns)
        return cls(dataset, query, columns)

    def with_columns(self, columns: list[ColumnInfo] | tuple[ColumnInfo, ...]) -> Scope:
        """The same dataset and query, other columns."""
        return Scope(self.dataset, self.query, tuple(columns))

    def with_query(self, query: str) -> Scope:
        """The same columns, errors pointing into another query text (a view's)."""
        return Scope(self.dataset, query, self.columns)

    def error(self, message: str, position: int, suggestion: str | None = None) -> QueryError:
        """A QueryError pointing at ``position`` in the query."""
        return QueryError(message, query=self.query, position=position, suggestion=suggestion)

    def time_carrier(self) -> ColumnInfo | None:
        """The column holding the dataset's time, if the dataset has one and it is still here."""
        time_column = self.dataset.time_column
        return None if time_column is None else self.carrier(time_column)

    @property
    def names(self) -> list[str]:
        """The column names, in order."""
        return [c.name for c in self.columns]

    def lookup(self, name: str) -> ColumnInfo | None:
        """The column called ``name`` (case-insensitively), if there is one."""
        lowered = name.lower()
        return next((c for c in self.columns if c.name.lower() == lowered), None)

    def carrier(self, dataset_column: str) -> ColumnInfo | None:
        """The column that holds ``dataset_column``: the one of that name, else a renamed copy."""
        found = self.lookup(dataset_column)
        if found is not None:
            return found
        lowered = dataset_column.lower()
        return next((c for c in self.columns if (c.origin or "").lower() == lowered), None)

    def resolve(self, field: ast.Field) -> Resolved:
        """Compile a field reference, or raise QueryError naming it and suggesting a near name."""
        found = self.lookup(field.name)
        if found is not None:
            return Resolved(column(found.name), found.sql_type, found.name)
        inside = self.inside_computed(field.name)
        if inside is not None:
            return inside
        try:
            name, path = self.dataset.resolve(field.name)
        except KeyError:
            raise self.unknown(field, f"unknown field {field.name!r}") from None
        found = self.carrier(name)
        if found is None:
            raise self.unknown(
                field,
                f"field {field.name!r} ({name}) is not available here: an earlier stage "
                f"dropped it; available: {', '.join(self.names)}",
            )
        if path is not None:
            # A promoted field reads its own column (the same text) where this relation has it.
            promoted = PROMOTED_BY_PATH.get((name, path)) if found.name == name else None
            carrier = self.lookup(promoted) if promoted else None
            if carrier is not None and carrier.origin == promoted:
                return Resolved(column(carrier.name), "VARCHAR", None)
            return Resolved(json_extract(column(found.name), path), "VARCHAR", None)
        return Resolved(column(found.name), found.sql_type, found.name)

    def inside_computed(self, name: str) -> Resolved | None:
        """``items.instanceId`` where ``items`` is a computed text column: a path inside it.

        Computed columns (an ``arrayexpand`` element, an ``alter``) come first: a dataset field
        of the same dotted name would read the stored event instead.
        """
        lowered = name.lower()
        best: ColumnInfo | None = None
        for info in self.columns:
            head = info.name.lower()
            after = lowered[len(head) : len(head) + 1]
            if (
                info.origin is None
                and info.sql_type in (None, "VARCHAR")
                and lowered.startswith(head)
                and after in (".", "[")
                and len(lowered) > len(head) + 1
                and (best is None or len(info.name) > len(best.name))
            ):
                best = info
        if best is None:
            return None
        rest = name[len(best.name) :]
        return Resolved(json_extract(column(best.name), "$" + rest), "VARCHAR", None)

    def target(self, name: str) -> str:
        """The column an assignment to ``name`` writes: an existing one it names, or a new one."""
        found = self.lookup(name)
        if found is not None:
            return found.name
        try:
            resolved, path = self.dataset.resolve(name)
        except KeyError:
            return name
        existing = self.carrier(resolved)
        return existing.name if existing is not None and path is None else name

    def unknown(self, field: ast.Field, message: str) -> QueryError:
        """An error pointing at ``field`` with the nearest available name as a suggestion."""
        return QueryError(
            message, query=self.query, position=field.position, suggestion=self.suggest(field.name)
        )

    def suggest(self, name: str) -> str | None:
        """The available field name closest to ``name``, if any is close."""
        head, dot, rest = name.partition(".")
        if dot and rest and not self._available(head):
            # A typo in the JSON part's name: requestParamters.bucketName.
            head_match = self.suggest(head)
            if head_match is not None and self._available(f"{head_match}.{rest}"):
                return f"{head_match}.{rest}"
        candidates: dict[str, str] = {}
        for candidate in (*self.dataset.field_names, *self.names):
            if self._available(candidate):
                candidates.setdefault(candidate.lower(), candidate)
        match = difflib.get_close_matches(name.lower(), list(candidates), n=1)
        return candidates[match[0]] if match else None

    def _available(self, name: str) -> bool:
        if self.lookup(name) is not None:
            return True
        try:
            resolved, _ = self.dataset.resolve(name)
        except KeyError:
            return False
        return self.carrier(resolved) is not None
