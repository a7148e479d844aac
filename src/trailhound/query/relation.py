"""Build one SELECT from a chain of stages, opening a new CTE only when SQL needs one.

A stage adds to the SELECT being built while SQL's clause order allows it (WHERE before GROUP BY
before SELECT before ORDER BY before LIMIT, and a WHERE may not see a computed column); otherwise
the SELECT so far becomes a CTE (``step1``, ``step2`` …) and the stage starts a new SELECT over it,
the way sqlglot turns pipe syntax (``FROM t |> WHERE … |> AGGREGATE …``) into a CTE chain.

A sort is kept pending rather than written at once, because an ORDER BY inside a CTE does not
order the rows of the query that reads it. It is written where it matters: before a LIMIT, on a
projection that drops a sort column, and on the final SELECT.

Stages that read two relations (join, union) or a table function (arrayexpand) close the SELECT
so far as a CTE (:meth:`RelationBuilder.finish`), add their own SELECT as the next CTE and go on
from it (:meth:`RelationBuilder.restart`). A subquery builds into the same list of CTEs, so every
name is unique and every CTE comes after the ones it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from trailhound.errors import QueryError
from trailhound.query.scope import ColumnInfo, Scope, column, identifier
from trailhound.query.values import Typed

# Each step re-projects every column, so compiling grows with steps × columns: past this many a
# query is refused (DuckDB's binder would refuse it soon after, much more slowly).
MAX_STEPS = 256


@dataclass(frozen=True, slots=True)
class Output:
    """One column a stage produces: passed through unchanged (``expression`` None) or computed.

    ``copies`` names the input column it copies unchanged (itself when passed through, another
    when renamed); ``origin`` is the dataset column it carries, as in :class:`ColumnInfo`.
    """

    name: str
    expression: exp.Expr | None
    sql_type: str | None
    origin: str | None = None
    copies: str | None = None

    @classmethod
    def keep(cls, info: ColumnInfo) -> Output:
        """The column passed through as it is."""
        return cls(info.name, None, info.sql_type, info.origin, info.name)

    @property
    def info(self) -> ColumnInfo:
        """What later stages see of this column."""
        return ColumnInfo(self.name, self.sql_type, self.origin)


class RelationBuilder:
    """The SELECT under construction, the CTEs before it, and the columns it produces."""

    def __init__(
        self, scope: Scope, ctes: list[exp.CTE] | None = None, relation: str | None = None
    ) -> None:
        self.ctes: list[exp.CTE] = [] if ctes is None else ctes  # shared with subqueries
        self.scope = scope  # the columns the current SELECT produces
        self.source = scope  # the columns of the relation the current SELECT reads
        self.select = exp.Select(expressions=[exp.Star()]).from_(
            exp.Table(this=identifier(relation or scope.dataset.relation)), copy=False
        )
        self.passthrough = True  # every output is an input column, unchanged, same name
        self.grouped = False
        self.shadowed = False  # a computed output has the name of an input column
        self.pending_order: list[exp.Ordered] | None = None  # the last sort asked for
        self.order_written = False  # pending_order is the current SELECT's ORDER BY

    # --- state ---------------------------------------------------------------------------------

    @property
    def ordered(self) -> bool:
        """The current SELECT has an ORDER BY."""
        return self.select.args.get("order") is not None

    @property
    def limited(self) -> bool:
        """The current SELECT has a LIMIT."""
        return self.select.args.get("limit") is not None

    def can_project(self) -> bool:
        """A new projection can replace the current one without changing what it reads."""
        return self.passthrough and not self.grouped and not self.ordered and not self.limited

    def wrap(self) -> None:
        """Turn the current SELECT into the next CTE and start ``SELECT * FROM`` it."""
        if len(self.ctes) >= MAX_STEPS:
            raise QueryError(
                f"query too complex: more than {MAX_STEPS} steps (a stage, or an assignment "
                "that reads a field computed in the same alter, starts a new one)"
            )
        if self.ordered and not self.limited and self.pending_order is not None:
            self.select.set("order", None)  # meaningless inside a CTE; written again later
        name = f"step{len(self.ctes) + 1}"
        alias = exp.TableAlias(this=exp.to_identifier(name))
        self.ctes.append(exp.CTE(this=self.select, alias=alias))
        self.select = exp.Select(expressions=[exp.Star()]).from_(
            exp.Table(this=exp.to_identifier(name)), copy=False
        )
        self.source = self.scope
        self.passthrough = True
        self.grouped = False
        self.shadowed = False
        self.order_written = False

    def add(self, query: exp.Query) -> str:
        """Append ``query`` as the next CTE; returns its name."""
        name = f"step{len(self.ctes) + 1}"
        self.ctes.append(exp.CTE(this=query, alias=exp.TableAlias(this=exp.to_identifier(name))))
        return name

    def finish(self) -> str:
        """Close the relation built so far as a CTE, for another SELECT to read; its name."""
        self.write_order()
        self.wrap()
        return str(self.ctes[-1].alias)

    def restart(self, name: str, scope: Scope) -> None:
        """Go on from the CTE ``name``, whose columns ``scope`` describes; no sort is pending."""
        self.select = exp.Select(expressions=[exp.Star()]).from_(
            exp.Table(this=exp.to_identifier(name)), copy=False
        )
        self.scope = self.source = scope
        self.passthrough = True
        self.grouped = False
        self.shadowed = False
        self.pending_order = None
        self.order_written = False

    def query(self) -> exp.Select:
        """The finished query: the CTEs and the current SELECT, sorted as last asked."""
        self.write_order()
        if self.ctes:
            self.select.set("with_", exp.With(expressions=self.ctes))
        return self.select

    # --- clauses -------------------------------------------------------------------------------

    def where(self, condition: exp.Expr) -> None:
        """Keep rows matching ``condition`` (compiled against the current columns)."""
        if not (self.passthrough and not self.grouped and not self.limited):
            self.wrap()
        self.select.where(condition, copy=False)

    def project(self, outputs: list[Output]) -> None:
        """Make ``outputs`` the columns (compiled against the current columns)."""
        if not self.can_project():
            self.wrap()
        source = self.source.names
        names = [o.name for o in outputs]
        computed = [o for o in outputs if o.expression is not None]
        passed = [o.name for o in outputs if o.expression is None]
        projection: list[exp.Expr]
        if not computed and names == source:
            projection = [exp.Star()]
        elif passed == source and names[: len(source)] == source:
            projection = [exp.Star(), *(_alias(o) for o in computed)]
        else:
            projection = [column(o.name) if o.expression is None else _alias(o) for o in outputs]
        self.select.set("expressions", projection)
        if self.pending_order is not None:
            self.carry_order(outputs)
        self.passthrough = not computed
        self.shadowed = _shadows(computed, source)
        self.scope = self.scope.with_columns([o.info for o in outputs])

    def carry_order(self, outputs: list[Output]) -> None:
        """Follow the pending sort through renames; if a sort column ends here, sort here."""
        assert self.pending_order is not None
        renamed = {o.copies.lower(): o.name for o in outputs if o.copies is not None}
        read = {c.name.lower() for key in self.pending_order for c in key.find_all(exp.Column)}
        if read <= renamed.keys():
            self.pending_order = [_rename_columns(key, renamed) for key in self.pending_order]
            return
        self.select.set("order", exp.Order(expressions=self.pending_order))
        self.pending_order = None

    def aggregate(
        self, keys: list[Output], aggregates: list[Output], also_by: list[exp.Expr] | None = None
    ) -> None:
        """Group by ``keys`` (plain columns or computed) and compute ``aggregates`` per group.

        ``also_by`` are more grouping expressions that are not output columns.
        """
        self.pending_order = None  # the order of rows going into a GROUP BY does not matter
        if not self.can_project():
            self.wrap()
        projection = [column(k.name) if k.expression is None else _alias(k) for k in keys]
        projection += [_alias(a) for a in aggregates]
        self.select.set("expressions", projection)
        groups = [column(k.name) if k.expression is None else k.expression for k in keys]
        groups += also_by or []
        if groups:
            self.select.group_by(*(g.copy() for g in groups), copy=False)
        self.passthrough = False
        self.grouped = True
        self.shadowed = _shadows([*keys, *aggregates], self.source.names)
        self.scope = self.scope.with_columns([o.info for o in [*keys, *aggregates]])

    def order(self, keys: list[exp.Ordered]) -> None:
        """Sort by ``keys`` from here on, replacing an earlier sort."""
        self.pending_order = keys
        self.order_written = False

    def write_order(self) -> None:
        """Write the pending sort as the current SELECT's ORDER BY, opening a CTE if needed."""
        if self.pending_order is None or self.order_written:
            return
        # ORDER BY sees the outputs, but an expression in it may also see a same-named input.
        if self.limited or self.shadowed:
            self.wrap()
        order = exp.Order(expressions=[o.copy() for o in self.pending_order])
        self.select.set("order", order)
        self.order_written = True

    def limit(self, count: int) -> None:
        """Keep at most ``count`` rows in the current order (the smaller of two limits wins)."""
        self.write_order()
        current = self.select.args.get("limit")
        if current is not None:
            count = min(count, int(current.expression.name))
        self.select.limit(exp.Literal.number(count), copy=False)

    def keep_first(self, partition: list[exp.Expr], order: list[exp.Ordered], count: int) -> None:
        """Keep the first ``count`` rows of each ``partition`` in ``order``; columns unchanged."""
        columns = list(self.scope.columns)
        taken = {c.name.lower() for c in columns}
        rank = "_th_row"
        while rank in taken:
            rank = "_" + rank
        window = exp.Window(
            this=exp.RowNumber(),
            partition_by=partition,
            order=exp.Order(expressions=order) if order else None,
        )
        passed = [Output.keep(c) for c in columns]
        self.project([*passed, Output(rank, window, "BIGINT")])
        self.wrap()
        kept = exp.EQ if count == 1 else exp.LTE
        self.where(kept(this=column(rank), expression=exp.Literal.number(count)))
        self.project(passed)


def _rename_columns(key: exp.Ordered, renamed: dict[str, str]) -> exp.Ordered:
    """The sort key with every column reference replaced by its new name."""

    def rename(node: exp.Expr) -> exp.Expr:
        return column(renamed[node.name.lower()]) if isinstance(node, exp.Column) else node

    result = key.transform(rename)
    assert isinstance(result, exp.Ordered)
    return result


def _shadows(outputs: list[Output], source: list[str]) -> bool:
    """True if a computed output takes the name of an input column."""
    inputs = {name.lower() for name in source}
    return any(o.expression is not None and o.name.lower() in inputs for o in outputs)


def _alias(output: Output) -> exp.Alias:
    assert output.expression is not None
    return exp.Alias(this=output.expression, alias=identifier(output.name))


def ordered(expression: exp.Expr, *, descending: bool) -> exp.Ordered:
    """A sort key with NULLs last in either direction, on every dialect."""
    return exp.Ordered(this=expression, desc=descending, nulls_first=False)


def replace_columns(scope: Scope, assignments: list[tuple[str, Typed]]) -> list[Output]:
    """The current columns with each ``(name, value)`` replacing its column or appended."""
    outputs = [Output.keep(c) for c in scope.columns]
    for target, value in assignments:
        new = Output(target, value.expression, value.sql_type)
        index = next((i for i, o in enumerate(outputs) if o.name == target), None)
        if index is None:
            outputs.append(new)
        else:
            outputs[index] = new
    return outputs
