"""Stages over windows of rows: ``windowcomp`` and ``transaction``.

``windowcomp FUNC(x) [by …] [sort …] [between A [and B]] [frame_type = range] as NAME`` adds the
value of a window function to every row, as XQL does: ``row_number rank dense_rank`` and
``lag lead`` (which need a sort), ``first_value last_value``, and the aggregates ``count sum avg
min max``. A frame bound is ``null`` (unbounded), ``0`` (this row), ``-n`` (n rows before) or
``n`` (after); with ``frame_type = range`` the bounds are distances in the sort value (a number, or
a duration such as ``-1h`` when sorting by a time). Without ``between`` SQL's default frame
applies: the whole partition, or everything up to this row when there is a sort.

``transaction FIELD, … span = D [timeshift = T] [maxevents = N]`` groups the events of each key
into transactions that last at most ``span``: windows of ``span`` counted from the key's first
event (or from ``timeshift``, a fixed start), each cut after ``maxevents`` events. Events whose
key has a NULL are left out. The result has one row per transaction: the key fields,
``_start_time``, ``_end_time``, ``_duration`` (whole seconds) and ``_event_count``. Windows
anchored this way, rather than restarted at each transaction's first event as XQL does, let one
grouped query on any engine do the work.
"""

from __future__ import annotations

import datetime

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.durations import interval
from trailhound.query.expressions import ExpressionCompiler
from trailhound.query.functions.aggregates import result_type
from trailhound.query.relation import Output, RelationBuilder, ordered, replace_columns
from trailhound.query.scope import Scope, column
from trailhound.query.values import Typed, closest, family, position_of

_RANKING: dict[str, type[exp.Func]] = {
    "row_number": exp.RowNumber,
    "rank": exp.Rank,
    "dense_rank": exp.DenseRank,
}
_OFFSET: dict[str, type[exp.Func]] = {"lag": exp.Lag, "lead": exp.Lead}
_VALUE: dict[str, type[exp.Func]] = {"first_value": exp.FirstValue, "last_value": exp.LastValue}
_AGGREGATE: dict[str, type[exp.Func]] = {
    "count": exp.Count, "sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max,
}  # fmt: skip
WINDOW_FUNCTIONS = (*_RANKING, *_OFFSET, *_VALUE, *_AGGREGATE)


def windowcomp(builder: RelationBuilder, stage: ast.WindowCompStage) -> None:
    """Add the window function's value to every row, named ``stage.alias``."""
    scope = builder.scope
    function = _function(scope, stage)
    partition = [scope.resolve(f).expression for f in stage.by]
    keys = [ordered(scope.resolve(k.field).expression, descending=k.descending) for k in stage.sort]
    window = exp.Window(
        this=function.expression,
        partition_by=partition or None,
        order=exp.Order(expressions=keys) if keys else None,
        spec=_frame(scope, stage) if stage.frame is not None else None,
    )
    target = scope.target(stage.alias)
    builder.project(replace_columns(scope, [(target, Typed(window, function.sql_type))]))


def _function(scope: Scope, stage: ast.WindowCompStage) -> Typed:
    name, args = stage.function, stage.args
    compiler = ExpressionCompiler(scope)
    if name not in WINDOW_FUNCTIONS:
        close = closest(name, list(WINDOW_FUNCTIONS))
        raise scope.error(f"unknown window function {name!r}", stage.position, close)
    if name in _RANKING or name in _OFFSET:
        if not stage.sort:
            raise scope.error(f"{name}() needs a sort, e.g. 'sort eventTime'", stage.position)
        if stage.frame is not None:
            raise scope.error(f"{name}() takes no 'between' frame", stage.frame[0].position)
    if name in _RANKING:
        _arguments(scope, stage, 0, 0)
        return Typed(_RANKING[name](), "BIGINT")
    if name in _OFFSET:
        _arguments(scope, stage, 1, 2)
        value = compiler.value(args[0])
        offset = _offset(scope, args[1]) if len(args) == 2 else None
        return Typed(_OFFSET[name](this=value.expression, offset=offset), value.sql_type)
    if name == "count" and not args:
        return Typed(exp.Count(this=exp.Star()), "BIGINT")
    _arguments(scope, stage, 1, 1)
    value = compiler.value(args[0])
    if name in _VALUE:
        return Typed(_VALUE[name](this=value.expression), value.sql_type)
    return Typed(_AGGREGATE[name](this=value.expression), result_type(name, value.sql_type))


def _arguments(scope: Scope, stage: ast.WindowCompStage, low: int, high: int) -> None:
    if not low <= len(stage.args) <= high:
        wanted = str(low) if low == high else f"{low} or {high}"
        raise scope.error(
            f"{stage.function}() takes {wanted} argument(s), got {len(stage.args)}",
            stage.position,
        )


def _offset(scope: Scope, node: ast.Expr) -> exp.Expr:
    if not isinstance(node, ast.Number) or not node.text.isdigit() or len(node.text) > 9:
        raise scope.error("the offset is a whole number of rows", position_of(node))
    return exp.Literal.number(int(node.text))


def _frame(scope: Scope, stage: ast.WindowCompStage) -> exp.WindowSpec:
    """``between A and B`` as ROWS (or RANGE) BETWEEN … PRECEDING/FOLLOWING."""
    assert stage.frame is not None
    start, end = stage.frame
    if not stage.sort:
        raise scope.error("a 'between' frame needs a sort, e.g. 'sort eventTime'", start.position)
    kinds = {type(b.offset) for b in stage.frame if b.offset not in (None, 0)}
    if datetime.timedelta in kinds and not stage.range_frame:
        raise scope.error("durations need 'frame_type = range'", start.position)
    if stage.range_frame:
        if len(stage.sort) != 1:
            raise scope.error("a range frame sorts by exactly one field", start.position)
        sort_type = scope.resolve(stage.sort[0].field).sql_type
        time_sort = family(sort_type) == "time"
        for bound in stage.frame:
            is_duration = isinstance(bound.offset, datetime.timedelta)
            if bound.offset not in (None, 0) and is_duration != time_sort:
                wanted = "a duration such as -1h" if time_sort else "a number"
                raise scope.error(f"this range frame's bounds are {wanted}", bound.position)
    if _rank(start, is_start=True) > _rank(end, is_start=False):
        raise scope.error("the frame starts after it ends", start.position)
    start_value, start_side = _bound(start, is_start=True)
    end_value, end_side = _bound(end, is_start=False)
    return exp.WindowSpec(
        kind="RANGE" if stage.range_frame else "ROWS",
        start=start_value,
        start_side=start_side,
        end=end_value,
        end_side=end_side,
    )


def _rank(bound: ast.FrameBound, *, is_start: bool) -> float:
    offset = bound.offset
    if offset is None:
        return float("-inf") if is_start else float("inf")
    if isinstance(offset, datetime.timedelta):
        return offset.total_seconds()
    return float(offset)


def _bound(bound: ast.FrameBound, *, is_start: bool) -> tuple[str | exp.Expr, str | None]:
    offset = bound.offset
    if offset is None:
        return "UNBOUNDED", "PRECEDING" if is_start else "FOLLOWING"
    if offset == 0 or offset == datetime.timedelta(0):
        return "CURRENT ROW", None
    side = "PRECEDING" if _rank(bound, is_start=is_start) < 0 else "FOLLOWING"
    if isinstance(offset, datetime.timedelta):
        return interval(abs(offset)), side
    return exp.Literal.number(abs(offset)), side


_TIME = "_th_time"
_WINDOW = "_th_window"
_PART = "_th_part"


def transaction(builder: RelationBuilder, stage: ast.TransactionStage) -> None:
    """Group each key's events into transactions of at most ``span`` (see the module docstring)."""
    scope = builder.scope
    time = scope.time_carrier()
    if time is None:
        raise scope.error(
            "transaction needs the events' time, which this data does not have (any more)",
            stage.position,
        )
    keys = [_key(scope, field) for field in stage.fields]
    seen: set[str] = set()
    for key, field in zip(keys, stage.fields, strict=True):
        if key.name.lower() in seen or key.name.lower() in (_TIME, _WINDOW, _PART):
            raise scope.error(f"{field.name!r} cannot be a transaction key twice", field.position)
        seen.add(key.name.lower())
    values = [k.expression if k.expression is not None else column(k.name) for k in keys]
    present = [exp.not_(exp.Is(this=v.copy(), expression=exp.Null())) for v in values]
    builder.where(exp.and_(*present) if len(present) > 1 else present[0])
    anchor: exp.Expr
    if stage.timeshift is None:
        partition = [v.copy() for v in values]
        first = exp.Window(this=exp.Min(this=column(time.name)), partition_by=partition)
        anchor = exp.TimeToUnix(this=first)
    else:
        anchor = exp.Literal.number(int(stage.timeshift.timestamp()))
    elapsed = exp.Sub(this=exp.TimeToUnix(this=column(time.name)), expression=anchor)
    seconds = exp.Literal.number(int(stage.span.total_seconds()))
    window = exp.Floor(this=exp.Div(this=exp.Paren(this=elapsed), expression=seconds))
    builder.project(
        [
            *keys,
            Output(_TIME, column(time.name), time.sql_type),
            Output(_WINDOW, window, "DOUBLE"),
        ]
    )
    groups: list[exp.Expr] = [column(_WINDOW)]
    if stage.maxevents is not None:
        # Cut each window after maxevents events, in time order.
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=[*(column(k.name) for k in keys), column(_WINDOW)],
            order=exp.Order(expressions=[ordered(column(_TIME), descending=False)]),
        )
        first_row = exp.Paren(this=exp.Sub(this=rank, expression=exp.Literal.number(1)))
        part = exp.IntDiv(this=first_row, expression=exp.Literal.number(stage.maxevents))
        passed = [Output.keep(info) for info in builder.scope.columns]
        builder.project([*passed, Output(_PART, part, "BIGINT")])
        groups.append(column(_PART))
    start, end = exp.Min(this=column(_TIME)), exp.Max(this=column(_TIME))
    milliseconds = exp.TimestampDiff(
        this=end.copy(), expression=start.copy(), unit=exp.var("MILLISECOND")
    )
    aggregates = [
        Output("_start_time", start, time.sql_type),
        Output("_end_time", end, time.sql_type),
        Output(
            "_duration",
            exp.IntDiv(this=milliseconds, expression=exp.Literal.number(1000)),
            "BIGINT",
        ),
        Output("_event_count", exp.Count(this=exp.Star()), "BIGINT"),
    ]
    grouped = [Output(k.name, None, k.sql_type, None, k.name) for k in keys]
    builder.aggregate(grouped, aggregates, groups)


def _key(scope: Scope, field: ast.Field) -> Output:
    """A transaction key: the field under the name it was written with."""
    resolved = scope.resolve(field)
    if resolved.column is not None and resolved.column == field.name:
        info = scope.lookup(resolved.column)
        origin = info.origin if info is not None else None
        return Output(field.name, None, resolved.sql_type, origin, resolved.column)
    return Output(field.name, resolved.expression, resolved.sql_type)
