"""Stages that read a second relation: ``join``, ``union`` and ``arrayexpand``.

Each closes the SELECT built so far as a CTE, reads it with the other side (a subquery's CTE, or
an array unnested beside each row) in a SELECT of its own, adds that as the next CTE and goes on
from it, as sqlglot's pipe syntax does for ``|> JOIN`` and ``|> UNION ALL``.

``join`` follows XQL: ``type`` inner (default), left or right; fields of the joined query are
written ``alias.field`` in the condition; when both sides have a column of the same name,
``conflict_strategy`` right (default) keeps the joined query's value (the query's own where the
joined one is NULL, as in a left join row without a match), left the other way round, and both
keeps both, the joined query's as ``alias_field``. ``union`` matches columns by name, NULL where
one side has none. ``arrayexpand`` writes one row per element in the array field's place.
"""

from __future__ import annotations

from sqlglot import exp

from trailhound.query import ast
from trailhound.query.expressions import ExpressionCompiler
from trailhound.query.functions.json_values import json_array
from trailhound.query.relation import RelationBuilder
from trailhound.query.scope import ColumnInfo, Scope, column, identifier
from trailhound.query.values import TEXT, Typed, element_of, family, is_array, textual

_UNNEST = "_th_unnest"
_ITEM = "_th_item"


def _qualified(table: str, name: str) -> exp.Column:
    return exp.Column(this=identifier(name), table=exp.to_identifier(table))


def _qualify(expression: exp.Expr, table: str, names: set[str]) -> exp.Expr:
    """``expression`` with its references to the columns ``names`` read from ``table``."""

    def qualify(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in names:
            return exp.Column(this=node.this.copy(), table=exp.to_identifier(table))
        return node

    return expression.transform(qualify)


class _JoinCondition(ExpressionCompiler):
    """Compiles a join condition: ``alias.field`` reads the joined query, other fields the query."""

    def __init__(self, left: Scope, left_table: str, right: Scope, right_table: str, alias: str):
        super().__init__(left)
        self.left_table, self.right, self.right_table = left_table, right, right_table
        self.alias = alias.lower()

    def value(self, node: ast.Expr) -> Typed:
        """Fields resolve on their side and read from its CTE; the rest compiles as usual."""
        if not isinstance(node, ast.Field) or node.name.startswith("@"):
            return super().value(node)
        head, dot, rest = node.name.partition(".")
        if dot and rest and head.lower() == self.alias:
            resolved = self.right.resolve(ast.Field(rest, node.position + len(head) + 1))
            names = {n.lower() for n in self.right.names}
            return Typed(_qualify(resolved.expression, self.right_table, names), resolved.sql_type)
        resolved = self.scope.resolve(node)
        names = {n.lower() for n in self.scope.names}
        return Typed(_qualify(resolved.expression, self.left_table, names), resolved.sql_type)


def _as_text_if(expression: exp.Expr, cast: bool) -> exp.Expr:
    return exp.cast(expression, TEXT) if cast else expression


def _clash(left: str | None, right: str | None) -> bool:
    """Two known types that SQL cannot put in one column: both sides become text."""
    return left is not None and right is not None and family(left) != family(right)


def join(
    builder: RelationBuilder, stage: ast.JoinStage, left_table: str, right: tuple[str, Scope]
) -> None:
    """Join the relation so far (closed as ``left_table``) with the subquery's, XQL's way."""
    left_scope = builder.scope
    right_table, right_scope = right
    condition = _JoinCondition(left_scope, left_table, right_scope, right_table, stage.alias)
    on = condition.condition(stage.condition)
    theirs = {c.name.lower(): c for c in right_scope.columns}
    ours = {c.name.lower() for c in left_scope.columns}
    projection: list[exp.Expr] = []
    columns: list[ColumnInfo] = []
    merged = stage.conflict != "both" and any(name in theirs for name in ours)
    for info in left_scope.columns:
        other = theirs.get(info.name.lower())
        if other is None or stage.conflict == "both":
            projection.append(_qualified(left_table, info.name))
            columns.append(info)
            continue
        cast = _clash(info.sql_type, other.sql_type)
        mine = _as_text_if(_qualified(left_table, info.name), cast)
        their = _as_text_if(_qualified(right_table, other.name), cast)
        first, second = (their, mine) if stage.conflict == "right" else (mine, their)
        value = exp.Coalesce(this=first, expressions=[second])
        projection.append(exp.Alias(this=value, alias=identifier(info.name)))
        sql_type = TEXT if cast else info.sql_type or other.sql_type
        columns.append(ColumnInfo(info.name, sql_type, None))
    if not merged:
        projection = [exp.Column(this=exp.Star(), table=exp.to_identifier(left_table))]
    taken = {c.name.lower() for c in columns}
    for info in right_scope.columns:
        name = info.name
        if name.lower() in ours:
            if stage.conflict != "both":
                continue
            name = f"{stage.alias}_{info.name}"
            while name.lower() in taken:
                name = "_" + name
        reference = _qualified(right_table, info.name)
        projection.append(
            reference if name == info.name else exp.Alias(this=reference, alias=identifier(name))
        )
        columns.append(ColumnInfo(name, info.sql_type, None))
        taken.add(name.lower())
    select = exp.Select(expressions=projection).from_(exp.Table(this=exp.to_identifier(left_table)))
    select = select.join(
        exp.Table(this=exp.to_identifier(right_table)), on=on, join_type=stage.kind, copy=False
    )
    builder.restart(builder.add(select), left_scope.with_columns(columns))


def _null(sql_type: str | None) -> exp.Expr:
    return exp.cast(exp.Null(), sql_type) if sql_type is not None else exp.Null()


def union(builder: RelationBuilder, left_table: str, right: tuple[str, Scope]) -> None:
    """The rows of the relation so far (closed as ``left_table``), then the subquery's."""
    left_scope = builder.scope
    right_table, right_scope = right
    theirs = {c.name.lower(): c for c in right_scope.columns}
    ours = {c.name.lower(): c for c in left_scope.columns}
    columns = list(left_scope.columns)
    columns += [
        ColumnInfo(c.name, c.sql_type, None)
        for c in right_scope.columns
        if c.name.lower() not in ours
    ]
    left_part: list[exp.Expr] = []
    right_part: list[exp.Expr] = []
    for index, info in enumerate(columns):
        mine, other = ours.get(info.name.lower()), theirs.get(info.name.lower())
        cast = mine is not None and other is not None and _clash(mine.sql_type, other.sql_type)
        if cast:
            columns[index] = ColumnInfo(info.name, TEXT, None)
        elif mine is not None and other is not None and mine.sql_type is None:
            columns[index] = ColumnInfo(info.name, None, info.origin)
        sql_type = columns[index].sql_type
        name = identifier(info.name)
        left_value = _as_text_if(column(info.name), cast) if mine else _null(sql_type)
        left_part.append(
            left_value if mine and not cast else exp.Alias(this=left_value, alias=name)
        )
        right_value = _as_text_if(column(other.name), cast) if other else _null(sql_type)
        same = other is not None and other.name == info.name and not cast
        right_part.append(right_value if same else exp.Alias(this=right_value, alias=name.copy()))
    if len(left_part) == len(left_scope.columns) and all(
        isinstance(p, exp.Column) for p in left_part
    ):
        left_part = [exp.Star()]
    left_select = exp.Select(expressions=left_part).from_(
        exp.Table(this=exp.to_identifier(left_table))
    )
    right_select = exp.Select(expressions=right_part).from_(
        exp.Table(this=exp.to_identifier(right_table))
    )
    both = exp.union(left_select, right_select, distinct=False)
    builder.restart(builder.add(both), left_scope.with_columns(columns))


def arrayexpand(builder: RelationBuilder, stage: ast.ArrayExpandStage) -> None:
    """One row per element of an array field (at most ``limit``), the element in its place.

    An array of JSON text (a JSON column, ``requestParameters.instancesSet.items``) gives its
    elements as text; a row whose array is empty or missing gives no row.
    """
    scope = builder.scope
    resolved = scope.resolve(stage.field)
    array: exp.Expr
    if is_array(resolved.sql_type) or resolved.sql_type is None:
        array, element_type = resolved.expression, element_of(resolved.sql_type)
    elif textual(resolved.sql_type):
        extract = resolved.expression
        if isinstance(extract, exp.JSONExtractScalar):  # a path inside a JSON column
            array = json_array(extract.this.copy(), extract.expression.copy())
        else:
            array = json_array(extract, exp.Literal.string("$"))
        element_type = TEXT
    else:
        raise scope.error(
            f"arrayexpand needs an array or JSON text; {stage.field.name!r} is {resolved.sql_type}",
            stage.field.position,
        )
    if stage.limit is not None:
        array = exp.ArraySlice(
            this=array, start=exp.Literal.number(1), end=exp.Literal.number(stage.limit)
        )
    name = resolved.column or stage.field.name
    table = builder.finish()
    element = exp.Column(this=exp.to_identifier(_ITEM), table=exp.to_identifier(_UNNEST))
    projection: list[exp.Expr] = []
    columns: list[ColumnInfo] = []
    for info in scope.columns:
        if info.name == name:
            projection.append(exp.Alias(this=element, alias=identifier(name)))
            columns.append(ColumnInfo(name, element_type, None))
        else:
            projection.append(column(info.name))
            columns.append(info)
    if not any(info.name == name for info in scope.columns):
        projection.append(exp.Alias(this=element, alias=identifier(name)))
        columns.append(ColumnInfo(name, element_type, None))
    unnest = exp.Unnest(
        expressions=[array],
        alias=exp.TableAlias(this=exp.to_identifier(_UNNEST), columns=[exp.to_identifier(_ITEM)]),
    )
    select = exp.Select(expressions=projection).from_(exp.Table(this=exp.to_identifier(table)))
    select = select.join(unnest, join_type="cross", copy=False)
    builder.restart(builder.add(select), scope.with_columns(columns))
