"""Sigma field names onto trailhound's columns, through the query language's own resolver.

A Sigma rule names CloudTrail fields (``eventName``,
``userIdentity.sessionContext.sessionIssuer.userName``, ``requestParameters.bucketName``,
``resources[0].ARN``). They resolve exactly as the same names do in a query: through the
``cloudtrail`` dataset's scope (:mod:`trailhound.query.scope`), so a field a query can read a
rule can read, and both read it with the same dialect-neutral expression (``JSONExtractScalar``
for a path inside a JSON column). ``field_expression`` then gives that value as text, or NULL
when absent, which is what Sigma's string semantics compare against.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from sqlglot import exp

from trailhound.errors import DetectError, QueryError
from trailhound.query import ast
from trailhound.query.datasets import DATASETS
from trailhound.query.scope import Scope
from trailhound.query.values import TEXT

# Sigma names that are not CloudTrail fields but that rules in the wild use.
_VIRTUAL_FIELDS: dict[str, exp.Expression] = {
    # SigmaHQ's ``status: success``: CloudTrail has no status field, only an error code.
    "status": exp.Case(
        ifs=[
            exp.If(
                this=exp.column("error_code").is_(exp.null()), true=exp.Literal.string("success")
            )
        ],
        default=exp.Literal.string("failure"),
    ),
}


@cache
def _cloudtrail_scope() -> Scope:
    return Scope.of_dataset(DATASETS["cloudtrail"], "")


def field_expression(name: str) -> exp.Expression:
    """The field's value as text (NULL when absent) as a sqlglot expression.

    >>> field_expression("requestParameters.bucketName").sql()
    "JSON_EXTRACT_SCALAR(request_parameters, '$.bucketName')"
    >>> field_expression("readOnly").sql()
    'CAST(read_only AS TEXT)'
    """
    if name.lower() in _VIRTUAL_FIELDS:
        return _VIRTUAL_FIELDS[name.lower()].copy()
    try:
        resolved = _cloudtrail_scope().resolve(ast.Field(name, 0))
    except QueryError as error:
        raise DetectError(f"unknown field {name!r}: not a CloudTrail field") from error
    # Every node sqlglot builds is an Expression; the query stage types them as Expr.
    expression = cast(exp.Expression, resolved.expression.copy())
    if resolved.sql_type == TEXT:
        return expression
    # CAST(TRUE AS VARCHAR) is 'true' in DuckDB and Spark alike.
    return exp.cast(expression, "VARCHAR")
