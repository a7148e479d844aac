"""Sigma's CloudTrail field names onto trailhound's columns.

A pySigma processing pipeline renames the fields Sigma rules use (``eventName``,
``userIdentity.sessionContext.sessionIssuer.userName``) to physical columns and moves the free-form
parts (``requestParameters.x``) under their JSON column; ``field_expression`` then turns the mapped
name into a sqlglot expression that yields the field's value as text, or NULL when absent.
"""

from __future__ import annotations

import re

from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    FieldMappingTransformation,
    FieldPrefixMappingTransformation,
)
from sqlglot import exp

from trailhound.errors import DetectError
from trailhound.schema import COLUMNS_BY_NAME, EVENT_COLUMNS, ColumnKind, resolve_field

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

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


def cloudtrail_pipeline() -> ProcessingPipeline:
    """The pySigma pipeline mapping CloudTrail field names to trailhound columns."""
    mapping = {
        c.source: c.name
        for c in EVENT_COLUMNS
        if c.source is not None and c.kind is ColumnKind.TYPED
    }
    prefixes = {
        c.source + ".": c.name + "."
        for c in EVENT_COLUMNS
        if c.source is not None and c.kind is ColumnKind.JSON
    }
    json_columns = {
        c.source: c.name
        for c in EVENT_COLUMNS
        if c.source is not None and c.kind is ColumnKind.JSON
    }
    names: dict[str | None, str | list[str]] = {}
    names.update(mapping)
    names.update(json_columns)
    prefix_map: dict[str | None, str | list[str]] = {}
    prefix_map.update(prefixes)
    return ProcessingPipeline(
        name="trailhound CloudTrail",
        priority=20,
        items=[
            ProcessingItem(
                FieldMappingTransformation(names),
                identifier="trailhound_columns",
            ),
            ProcessingItem(
                FieldPrefixMappingTransformation(prefix_map), identifier="trailhound_json_parts"
            ),
        ],
    )


def json_path(parts: list[str]) -> str:
    """A DuckDB JSONPath for nested keys, quoting keys that are not plain identifiers.

    >>> json_path(["a", "b c"])
    '$.a."b c"'
    """
    quoted = [p if _PLAIN_KEY.match(p) else '"' + p.replace('"', '\\"') + '"' for p in parts]
    return "$." + ".".join(quoted)


def split_field(name: str) -> tuple[str, list[str]]:
    """``(column, json keys)`` for a (possibly mapped) Sigma field name."""
    if name in COLUMNS_BY_NAME:
        return name, []
    head, _, rest = name.partition(".")
    if rest and head in COLUMNS_BY_NAME and COLUMNS_BY_NAME[head].kind is ColumnKind.JSON:
        return head, rest.split(".")
    try:
        column, path = resolve_field(name)
    except KeyError as error:
        raise DetectError(f"unknown field {name!r}: not a CloudTrail field") from error
    return column, [] if path is None else path.removeprefix("$.").split(".")


def field_expression(name: str) -> exp.Expression:
    """The field's value as text (NULL when absent) as a sqlglot expression."""
    if name.lower() in _VIRTUAL_FIELDS:
        return _VIRTUAL_FIELDS[name.lower()].copy()
    column, keys = split_field(name)
    col = exp.column(column)
    if keys:
        return exp.Anonymous(
            this="json_extract_string", expressions=[col, exp.Literal.string(json_path(keys))]
        )
    if COLUMNS_BY_NAME[column].sql_type == "VARCHAR":
        return col
    if COLUMNS_BY_NAME[column].sql_type == "BOOLEAN":
        # CAST(TRUE AS VARCHAR) is 'true' in DuckDB and Spark alike.
        return exp.cast(col, "VARCHAR")
    return exp.cast(col, "VARCHAR")


def field_value(record: dict[str, object], name: str) -> object:
    """The value a Sigma field names in a raw CloudTrail record (reference semantics)."""
    if name.lower() == "status":
        return "success" if record.get("errorCode") is None else "failure"
    node: object = record
    for part in name.split("."):
        if not isinstance(node, dict):
            return None
        if part in node:
            node = node[part]
            continue
        lowered = {str(k).lower(): v for k, v in node.items()}
        node = lowered.get(part.lower())
    return node
