"""Compile a pipe query into one sqlglot query: ``compile_query`` and ``compile_condition``.

Each stage reads the columns the stage before it produced (see :mod:`.scope`) and adds to the
SELECT being built, which opens a new CTE whenever SQL's clause order requires one (see
:mod:`.relation`). Subqueries (``join``, ``union``) and saved views build into the same list of
CTEs. The result is a sqlglot expression tree; :meth:`CompiledQuery.sql` renders it for DuckDB,
Spark or Trino. The time window (``config timeframe`` or ``since``) applies to every dataset the
query reads, unless a subquery sets its own.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from trailhound.errors import QueryError
from trailhound.query import ast, combine, windows
from trailhound.query import functions as _builtins  # noqa: F401  (registers the built-ins)
from trailhound.query.catalog import Catalog, SavedDataset
from trailhound.query.datasets import DATASETS, DEFAULT_DATASET, Dataset
from trailhound.query.dialects import get_dialect
from trailhound.query.durations import interval, single_unit
from trailhound.query.expressions import ExpressionCompiler
from trailhound.query.parser import parse_expression, parse_query
from trailhound.query.relation import Output, RelationBuilder, ordered, replace_columns
from trailhound.query.scope import ColumnInfo, Scope, column
from trailhound.query.values import TEXT, Typed, as_text, family

MAX_QUERY_CHARS = 256 * 1024
_TIME_TYPES = (None, "TIMESTAMPTZ", "TIMESTAMP", "DATE")
# The partition date is the UTC date; widen its bound by a day so that a session time zone
# east of UTC can never prune a day that still holds events inside the window.
_PARTITION_SLACK = datetime.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DatasetRead:
    """A dataset the query reads, over which time window, and the condition that prunes its
    date partitions (None when it reads them all)."""

    dataset: str
    window: datetime.timedelta | None
    partition_filter: exp.Expr | None


@dataclass(frozen=True)
class CompiledQuery:
    """A compiled query: the dataset it reads and the whole query as a sqlglot tree.

    ``target`` is the closing ``| target …`` stage, if any: the query's rows (or, for a view,
    ``saved_text``) are to be saved under its name. ``reads`` lists every dataset read;
    ``columns`` describes the result.
    """

    dataset: str
    expression: sqlglot.exp.Query
    target: ast.TargetStage | None = None
    reads: tuple[DatasetRead, ...] = ()
    text: str = ""
    columns: tuple[ColumnInfo, ...] = ()  # the result's columns
    time_column: str | None = None  # the result column holding the events' time, if any
    source: str = ""  # the dataset whose field names the result's columns answer to

    def sql(self, dialect: str = "duckdb", pretty: bool = False) -> str:
        """The query as SQL text for ``dialect`` (``duckdb``, ``spark`` or ``trino``)."""
        try:
            return get_dialect(dialect).generate(self.expression, pretty=pretty)
        except RecursionError as error:
            raise QueryError("query too large or too deeply nested to render as SQL") from error

    @property
    def saved_text(self) -> str:
        """The query without its ``| target`` stage."""
        end = self.target.query_end if self.target is not None else len(self.text)
        return self.text[:end].rstrip()


def compile_query(
    text: str,
    *,
    since: datetime.timedelta | None = None,
    params: Mapping[str, str] | None = None,
    catalog: Catalog | None = None,
) -> CompiledQuery:
    """Compile a pipe query; ``since`` bounds the time when the query sets no timeframe.

    ``params`` give the values of ``$name`` parameters; ``catalog`` the datasets earlier
    queries saved (``dataset = NAME`` reads them).

    >>> compile_query('filter eventName = "ConsoleLogin" | limit 5').sql()
    "SELECT * FROM cloudtrail WHERE LOWER(event_name) = 'consolelogin' LIMIT 5"
    >>> print(compile_query("top 3 awsRegion").sql(pretty=True))
    SELECT
      aws_region AS "awsRegion",
      COUNT(*) AS count
    FROM cloudtrail
    GROUP BY
      aws_region
    ORDER BY
      count DESC,
      "awsRegion" ASC
    LIMIT 3
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query longer than {MAX_QUERY_CHARS:,} characters")
    compiler = _QueryCompiler(text, {} if catalog is None else catalog)
    try:
        return compiler.compile(parse_query(text, params), since)
    except RecursionError as error:  # the parser's limits should make this unreachable
        raise QueryError("query too large or too deeply nested to compile") from error


def compile_condition(text: str, dataset: str = DEFAULT_DATASET) -> exp.Expression:
    """Compile a lone condition over ``dataset``'s columns, for use in a WHERE clause.

    >>> compile_condition('sourceIPAddress = "1.2.3.4" and errorCode = null').sql()
    "LOWER(source_ip_address) = '1.2.3.4' AND error_code IS NULL"
    """
    if dataset not in DATASETS:
        raise QueryError(f"unknown dataset {dataset!r}; datasets are {', '.join(DATASETS)}")
    scope = Scope.of_dataset(DATASETS[dataset], text)
    condition = ExpressionCompiler(scope).condition(parse_expression(text))
    assert isinstance(condition, exp.Expression)  # every concrete sqlglot node is one
    return condition


class _QueryCompiler:
    def __init__(
        self,
        text: str,
        catalog: Catalog,
        reads: list[DatasetRead] | None = None,
        views: tuple[str, ...] = (),
        saved_read: set[str] | None = None,
    ) -> None:
        self.text = text
        self.catalog = catalog
        self.reads: list[DatasetRead] = [] if reads is None else reads
        self.views = views  # the saved views being compiled, innermost last
        self.saved_read: set[str] = set() if saved_read is None else saved_read

    def error(self, message: str, position: int, suggestion: str | None = None) -> QueryError:
        return QueryError(message, query=self.text, position=position, suggestion=suggestion)

    def compile(self, pipeline: ast.Pipeline, since: datetime.timedelta | None) -> CompiledQuery:
        stages = list(pipeline.stages)
        target: ast.TargetStage | None = None
        if stages and isinstance(stages[-1], ast.TargetStage):
            target = stages[-1]
            stages.pop()
        for stage in stages:
            if isinstance(stage, ast.TargetStage):
                raise self.error("target must be the last stage", stage.position)
        builder, dataset, window, rest = self.open(stages, since, [])
        self.run(builder, rest, window)
        if target is not None and target.name in DATASETS:
            raise self.error(
                f"{target.name!r} is a dataset that cannot be replaced", target.position
            )
        if target is not None and target.kind == "view" and target.name in self.saved_read:
            raise self.error(f"view {target.name!r} would read itself", target.position)
        reads = tuple(self.reads)
        scope = builder.scope
        time = scope.time_carrier()
        return CompiledQuery(
            dataset,
            builder.query(),
            target,
            reads,
            self.text,
            scope.columns,
            None if time is None else time.name,
            scope.dataset.name,
        )

    def open(
        self,
        stages: list[ast.Stage],
        inherited: datetime.timedelta | None,
        ctes: list[exp.CTE],
    ) -> tuple[RelationBuilder, str, datetime.timedelta | None, list[ast.Stage]]:
        """Start the relation a (sub)query reads: its dataset, over its time window.

        Returns the builder, the dataset's name, the window and the stages left to compile.
        """
        name, position, timeframe, rest = self.preamble(stages)
        window = timeframe or inherited
        saved = None if name in DATASETS else self.catalog[name]
        if saved is not None:
            self.saved_read.add(name)
        if saved is not None and saved.kind == "view":
            relation, scope = self.view(saved, position, window, ctes)
            return RelationBuilder(scope.with_query(self.text), ctes, relation), name, window, rest
        dataset = DATASETS[name] if saved is None else saved.as_dataset()
        builder = RelationBuilder(Scope.of_dataset(dataset, self.text), ctes)
        pruned = None
        if window is not None and dataset.time_column is not None:
            pruned = self.restrict_time(builder, dataset, window)
        self.reads.append(DatasetRead(dataset.name, window, pruned))
        return builder, name, window, rest

    def run(
        self, builder: RelationBuilder, stages: list[ast.Stage], window: datetime.timedelta | None
    ) -> None:
        """Compile ``stages`` onto ``builder``; subqueries inherit ``window``."""
        for stage in stages:
            if isinstance(stage, (ast.JoinStage, ast.UnionStage)):
                # The outer relation becomes a CTE first, so that it comes before the subquery's.
                left = builder.finish()
                right = self.subquery(stage.query, window, builder.ctes)
                if isinstance(stage, ast.JoinStage):
                    combine.join(builder, stage, left, right)
                else:
                    combine.union(builder, left, right)
            else:
                self.stage(builder, stage)

    def subquery(
        self, pipeline: ast.Pipeline, window: datetime.timedelta | None, ctes: list[exp.CTE]
    ) -> tuple[str, Scope]:
        """Compile a subquery into the outer query's CTEs: the name of its last, its columns."""
        builder, _, inner_window, rest = self.open(list(pipeline.stages), window, ctes)
        self.run(builder, rest, inner_window)
        return builder.finish(), builder.scope

    def view(
        self,
        saved: SavedDataset,
        position: int,
        window: datetime.timedelta | None,
        ctes: list[exp.CTE],
    ) -> tuple[str, Scope]:
        """Compile a saved view's query into ``ctes``: the name of its last CTE, its columns."""
        if saved.name in self.views:
            raise self.error(f"view {saved.name!r} reads itself", position)
        views = (*self.views, saved.name)
        compiler = _QueryCompiler(saved.query, self.catalog, self.reads, views, self.saved_read)
        try:
            pipeline = parse_query(saved.query, saved.params)
            builder, _, inner_window, rest = compiler.open(list(pipeline.stages), window, ctes)
            compiler.run(builder, rest, inner_window)
        except QueryError as error:
            raise QueryError(
                f"in view {saved.name!r}: {error.message}",
                query=error.query,
                position=error.position,
                suggestion=error.suggestion,
            ) from None
        return builder.finish(), builder.scope

    def preamble(
        self, stages: list[ast.Stage]
    ) -> tuple[str, int, datetime.timedelta | None, list[ast.Stage]]:
        """Take ``dataset`` and ``config`` off the front; they may not appear later.

        Returns the dataset's name and where it was named, the timeframe and the other stages.
        """
        name, position = DEFAULT_DATASET, 0
        timeframe: datetime.timedelta | None = None
        seen_dataset = False
        index = 0
        while index < len(stages):
            stage = stages[index]
            if isinstance(stage, ast.DatasetStage):
                if seen_dataset:
                    raise self.error("the dataset is already set", stage.position)
                if stage.name not in DATASETS and stage.name not in self.catalog:
                    known = [*DATASETS, *sorted(self.catalog)]
                    close = difflib.get_close_matches(stage.name, known, n=1)
                    raise self.error(
                        f"unknown dataset {stage.name!r}; datasets are {', '.join(known)}",
                        stage.position,
                        close[0] if close else None,
                    )
                name, position, seen_dataset = stage.name, stage.position, True
            elif isinstance(stage, ast.ConfigStage):
                if timeframe is not None:
                    raise self.error("the timeframe is already set", stage.position)
                timeframe = stage.timeframe
            else:
                break
            index += 1
        rest = list(stages[index:])
        for stage in rest:
            if isinstance(stage, (ast.DatasetStage, ast.ConfigStage)):
                kind = "dataset" if isinstance(stage, ast.DatasetStage) else "config"
                raise self.error(f"{kind} must come before the other stages", stage.position)
        return name, position, timeframe, rest

    def restrict_time(
        self, builder: RelationBuilder, dataset: Dataset, window: datetime.timedelta
    ) -> exp.Expr | None:
        """Keep events newer than ``now() - window`` (and prune older date partitions).

        Returns the condition on the partition date, if the dataset has one.
        """
        if window.total_seconds() < 1:
            raise QueryError("the time window must be at least one second")
        assert dataset.time_column is not None  # open() restricts only datasets with a time
        start = exp.Sub(this=exp.CurrentTimestamp(), expression=interval(window))
        condition: exp.Expr = exp.GTE(this=column(dataset.time_column), expression=start)
        day: exp.Expr | None = None
        if dataset.partition_date_column is not None:
            earliest = exp.Sub(
                this=exp.CurrentTimestamp(), expression=interval(window + _PARTITION_SLACK)
            )
            day = exp.GTE(
                this=column(dataset.partition_date_column),
                expression=exp.cast(earliest, "DATE"),
            )
            condition = exp.and_(condition, day)
        builder.where(condition)
        return None if day is None else day.copy()

    # --- stages --------------------------------------------------------------------------------

    def stage(self, builder: RelationBuilder, stage: ast.Stage) -> None:
        compiler = ExpressionCompiler(builder.scope)
        if isinstance(stage, ast.FilterStage):
            builder.where(compiler.condition(stage.condition))
        elif isinstance(stage, ast.FieldsStage):
            builder.project(self.fields(builder.scope, stage))
        elif isinstance(stage, ast.AlterStage):
            self.alter(builder, stage)
        elif isinstance(stage, ast.CompStage):
            self.comp(builder, stage)
        elif isinstance(stage, ast.SortStage):
            keys = [
                ordered(builder.scope.resolve(key.field).expression, descending=key.descending)
                for key in stage.keys
            ]
            builder.order(keys)
        elif isinstance(stage, ast.LimitStage):
            builder.limit(stage.count)
        elif isinstance(stage, ast.DedupStage):
            self.dedup(builder, stage)
        elif isinstance(stage, ast.TopStage):
            self.top(builder, stage)
        elif isinstance(stage, ast.BinStage):
            self.bin(builder, stage)
        elif isinstance(stage, ast.ArrayExpandStage):
            combine.arrayexpand(builder, stage)
        elif isinstance(stage, ast.WindowCompStage):
            windows.windowcomp(builder, stage)
        elif isinstance(stage, ast.TransactionStage):
            windows.transaction(builder, stage)
        elif isinstance(stage, ast.ReplaceNullStage):
            self.replacenull(builder, stage)
        else:  # dataset and config were taken off by preamble(), join and union by run()
            raise AssertionError(f"unexpected stage {stage!r}")

    def output_for(self, scope: Scope, field: ast.Field, alias: str | None) -> Output:
        """The output column for a field, named ``alias`` or the field as written."""
        resolved = scope.resolve(field)
        name = alias or field.name
        if resolved.column is None:  # a value read out of a JSON column
            return Output(name, resolved.expression, resolved.sql_type)
        info = scope.lookup(resolved.column)
        origin = info.origin if info is not None else None
        expression = None if name == resolved.column else column(resolved.column)
        return Output(name, expression, resolved.sql_type, origin, resolved.column)

    def check_unique(self, outputs: list[Output], positions: list[int]) -> None:
        seen: set[str] = set()
        for output, position in zip(outputs, positions, strict=True):
            if output.name.lower() in seen:
                raise self.error(f"column {output.name!r} appears twice", position)
            seen.add(output.name.lower())

    def fields(self, scope: Scope, stage: ast.FieldsStage) -> list[Output]:
        """``fields a, b as c, -d``: keep (and rename) fields, or drop some."""
        dropped: set[str] = set()
        for item in stage.items:
            if item.exclude:
                resolved = scope.resolve(item.field)
                if resolved.column is None:
                    raise self.error("only whole columns can be dropped", item.field.position)
                dropped.add(resolved.column.lower())
        kept = [item for item in stage.items if not item.exclude]
        if not kept:
            remaining = [c for c in scope.columns if c.name.lower() not in dropped]
            if not remaining:
                raise self.error("fields would drop every column", stage.position)
            return [Output.keep(c) for c in remaining]
        outputs = [self.output_for(scope, i.field, i.alias) for i in kept]
        positions = [i.position for i in kept]
        pairs = [
            (o, p)
            for o, p in zip(outputs, positions, strict=True)
            if (o.copies or "").lower() not in dropped
        ]
        if not pairs:
            raise self.error("fields would drop every column", stage.position)
        self.check_unique([o for o, _ in pairs], [p for _, p in pairs])
        return [o for o, _ in pairs]

    def alter(self, builder: RelationBuilder, stage: ast.AlterStage) -> None:
        """``alter a = <expr>, b = <expr>``: add columns, or replace the ones the names refer to.

        Assignments go into one projection unless one reads a column an earlier one wrote.
        """
        batch: list[tuple[str, Typed]] = []
        for assignment in stage.assignments:
            written = {target.lower() for target, _ in batch}
            target = builder.scope.target(assignment.name)
            if target.lower() in written or _reads(assignment.value, written, builder.scope):
                builder.project(replace_columns(builder.scope, batch))
                batch = []
                target = builder.scope.target(assignment.name)
            batch.append((target, ExpressionCompiler(builder.scope).value(assignment.value)))
        builder.project(replace_columns(builder.scope, batch))

    def comp(self, builder: RelationBuilder, stage: ast.CompStage) -> None:
        """``comp count() as n, … by a, b``."""
        scope = builder.scope
        compiler = ExpressionCompiler(scope)
        keys = [self.output_for(scope, field, None) for field in stage.by]
        aggregates = [
            Output(a.alias or _default_name(a, scope), typed.expression, typed.sql_type)
            for a in stage.aggregates
            for typed in [compiler.aggregate(a)]
        ]
        positions = [f.position for f in stage.by] + [a.position for a in stage.aggregates]
        self.check_unique([*keys, *aggregates], positions)
        builder.aggregate(keys, aggregates)

    def dedup(self, builder: RelationBuilder, stage: ast.DedupStage) -> None:
        """``dedup a, b [by field asc|desc]``: keep the first row of each key."""
        scope = builder.scope
        partition = [scope.resolve(key).expression for key in stage.keys]
        # "First" means first in the sort already asked for, else the earliest event.
        earlier_order = builder.pending_order
        if stage.order is not None:
            resolved = scope.resolve(stage.order.field).expression
            order = [ordered(resolved, descending=stage.order.descending)]
        elif earlier_order:
            order = [o.copy() for o in earlier_order]
        elif (time_column := scope.time_carrier()) is not None:
            order = [ordered(column(time_column.name), descending=False)]
        else:
            order = []
        builder.keep_first(partition, order, 1)

    def top(self, builder: RelationBuilder, stage: ast.TopStage) -> None:
        """``top N field [by other]``: the N most frequent values (within each ``other``)."""
        scope = builder.scope
        key = self.output_for(scope, stage.field, None)
        group = self.output_for(scope, stage.by, None) if stage.by is not None else None
        keys = [key] if group is None else [group, key]
        self.check_unique(keys, [stage.field.position] * len(keys))
        count_name = "count"
        while count_name in {k.name.lower() for k in keys}:
            count_name = "_" + count_name
        builder.aggregate(keys, [Output(count_name, exp.Count(this=exp.Star()), "BIGINT")])
        by_count = [
            ordered(column(count_name), descending=True),
            ordered(column(key.name), descending=False),
        ]
        if group is None:
            builder.order(by_count)
            builder.limit(stage.count)
            return
        builder.keep_first([column(group.name)], by_count, stage.count)
        builder.order(
            [ordered(column(group.name), descending=False), *(o.copy() for o in by_count)]
        )

    def replacenull(self, builder: RelationBuilder, stage: ast.ReplaceNullStage) -> None:
        """``replacenull f = "value", …``: the value where the field is NULL.

        A value of another kind than the field (text for a number) turns the field into text.
        """
        scope = builder.scope
        compiler = ExpressionCompiler(scope)
        assignments: list[tuple[str, Typed]] = []
        for replacement in stage.replacements:
            resolved = scope.resolve(replacement.field)
            target = resolved.column or replacement.field.name
            if any(name == target for name, _ in assignments):
                raise self.error(
                    f"{replacement.field.name!r} is replaced twice", replacement.field.position
                )
            value = compiler.value(replacement.value)
            current = Typed(resolved.expression, resolved.sql_type)
            kinds = {family(current.sql_type), family(value.sql_type)}
            if None in kinds or len(kinds) == 1:
                merged = Typed(
                    exp.Coalesce(this=current.expression, expressions=[value.expression]),
                    current.sql_type or value.sql_type,
                )
            else:
                merged = Typed(
                    exp.Coalesce(this=as_text(current), expressions=[as_text(value)]), TEXT
                )
            assignments.append((target, merged))
        builder.project(replace_columns(scope, assignments))

    def bin(self, builder: RelationBuilder, stage: ast.BinStage) -> None:
        """``bin field span = 1h``: floor a time column to the span, keeping its name."""
        resolved = builder.scope.resolve(stage.field)
        if resolved.column is None or resolved.sql_type not in _TIME_TYPES:
            raise self.error(
                f"bin needs a time column; {stage.field.name!r} is not one", stage.field.position
            )
        unit = single_unit(stage.span)
        floored: exp.Expr
        if unit is not None:
            floored = exp.TimestampTrunc(this=resolved.expression, unit=exp.var(unit))
        else:
            seconds = exp.Literal.number(int(stage.span.total_seconds()))
            epoch = exp.Div(this=exp.TimeToUnix(this=resolved.expression), expression=seconds)
            floored = exp.UnixToTime(
                this=exp.Mul(this=exp.Floor(this=epoch), expression=seconds.copy())
            )
        value = Typed(floored, "TIMESTAMPTZ")
        builder.project(replace_columns(builder.scope, [(resolved.column, value)]))


def _reads(node: ast.Expr, names: set[str], scope: Scope) -> bool:
    """True if the expression mentions a field that is (or resolves to) one of ``names``."""
    if isinstance(node, ast.Field):
        try:
            column_name = scope.dataset.resolve(node.name)[0].lower()
        except KeyError:
            column_name = node.name.lower()
        return bool({node.name.lower(), scope.target(node.name).lower(), column_name} & names)
    if isinstance(node, ast.Call):
        return any(_reads(a, names, scope) for a in node.args)
    if isinstance(node, ast.Unary):
        return _reads(node.operand, names, scope)
    if isinstance(node, ast.Binary):
        return _reads(node.left, names, scope) or _reads(node.right, names, scope)
    if isinstance(node, ast.InList):
        return any(_reads(n, names, scope) for n in (node.operand, *node.items))
    return False


def _default_name(aggregate: ast.Aggregate, scope: Scope) -> str:
    """``count`` for ``count()``, ``sum_bytes`` for ``sum(bytes)``, the function otherwise."""
    argument = aggregate.argument
    if not isinstance(argument, ast.Field):
        return aggregate.function
    name = scope.resolve(argument).column or argument.name
    suffix = re.sub(r"\W+", "_", name).strip("_").lower()
    return f"{aggregate.function}_{suffix}" if suffix else aggregate.function
