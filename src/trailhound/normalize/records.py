"""Normalize raw CloudTrail records into the schema, inside DuckDB.

The normalizer is one SQL statement built from ``schema.EVENT_COLUMNS``: it reads a relation of
``(source_object, source_index, account_hint, raw, doc)`` rows (``doc`` is the JSON the fields are
read from, ``raw`` the original text that is kept) and yields every schema column plus
``quarantine_reason`` (NULL for a good record; values out of range are quarantined here, see
``normalize.limits``), ``needs_key_repair`` and ``needs_structure_check`` (for the passes in
``normalize.batch_checks``). Each record's JSON is parsed a handful of times by DuckDB's C++
JSON reader and never by Python, which is what makes ingest fast.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlglot import exp

from trailhound.model import DEFAULT_LIMITS, RecordLimits
from trailhound.normalize.limits import (
    ACCOUNT_ID_PATTERN,
    EVENT_TIME_MAX,
    EVENT_TIME_MIN,
    needs_structure_check_sql,
)
from trailhound.schema import EVENT_COLUMNS, PROMOTED_COLUMNS, Column, ColumnKind

# Fields read as JSON so that a value of the wrong type quarantines the record instead of being
# coerced into a string; every other typed field is coerced leniently (a number becomes text).
CHECKED_FIELDS: tuple[str, ...] = ("eventTime", "eventName")
IDENTITY = "userIdentity"

_TYPED = [c for c in EVENT_COLUMNS if c.kind is ColumnKind.TYPED]
_JSON = [c for c in EVENT_COLUMNS if c.kind is ColumnKind.JSON]


def _put(tree: dict[str, Any], path: list[str], leaf: str) -> None:
    node = tree
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = leaf


def transform_structures() -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``json_transform`` shapes of a record and of its ``userIdentity``, from the schema."""
    record: dict[str, Any] = {}
    identity: dict[str, Any] = {}
    for column in _TYPED + _JSON:
        path = (column.source or "").split(".")
        if path[0] == IDENTITY and len(path) > 1:
            _put(identity, path[1:], "VARCHAR")
        elif column.kind is ColumnKind.JSON or column.source in CHECKED_FIELDS:
            _put(record, path, "JSON")
        else:
            _put(record, path, "VARCHAR")
    return record, identity


def _access(root: str, path: list[str]) -> str:
    return root + "".join(f'."{part}"' for part in path)


def _typed_value(column: Column) -> str:
    """SQL for one typed column, read from the transformed struct ``x`` or identity ``u``."""
    path = (column.source or "").split(".")
    if path[0] == IDENTITY:
        value = _access("u", path[1:])
    elif column.source in CHECKED_FIELDS:
        value = f"json_extract_string({_access('x', path)}, '$')"
    else:
        value = _access("x", path)
    if column.sql_type == "VARCHAR":
        return value
    return f"TRY_CAST({value} AS {column.sql_type})"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _promoted() -> tuple[list[str], dict[str, str]]:
    """The lists of promoted values read per JSON part (one parse of each part per record, in
    the ``parsed`` subquery), and each promoted column's element of its list."""
    paths: dict[str, list[str]] = {}
    for column in PROMOTED_COLUMNS:
        part, _, key = (column.source or "").partition(".")
        paths.setdefault(part, []).append("$." + key)
    lists: list[str] = []
    values: dict[str, str] = {}
    for n, (part, keys) in enumerate(paths.items()):
        listed = ", ".join(_sql_string(k) for k in keys)
        lists.append(f'json_extract_string(x."{part}", [{listed}]) AS promoted_{n}')
        for column in PROMOTED_COLUMNS:
            if (column.source or "").partition(".")[0] == part:
                index = keys.index("$." + (column.source or "").partition(".")[2]) + 1
                values[column.name] = f"promoted_{n}[{index}]"
    return lists, values


@functools.cache
def normalize_sql(relation: str, limits: RecordLimits = DEFAULT_LIMITS) -> str:
    """The SELECT that normalizes every row of ``relation`` (see the module docstring).

    Values that become a partition or a typed column are range-checked (``normalize.limits``);
    ``needs_structure_check`` marks the records whose size limits only an exact scan can tell.

    Generated from the schema table, never from user input; parsed once with sqlglot so that a
    malformed statement fails at start-up, not on the first batch (and cached: every ingestor
    and collector of the process shares it).
    """
    record_shape, identity_shape = transform_structures()
    typed = {c.name: _typed_value(c) for c in _TYPED}
    json_cols = {
        c.name: f"CAST({_access('x', (c.source or '').split('.'))} AS VARCHAR)" for c in _JSON
    }
    event_time_text = "json_extract_string(x.eventTime, '$')"
    # Insights events name the API they are about inside insightDetails, not at the top.
    insight = "x.eventType = 'AwsCloudTrailInsight'"
    for name, field in (("event_name", "eventName"), ("event_source", "eventSource")):
        typed[name] = (
            f"CASE WHEN x.{field} IS NULL AND {insight} "
            f"THEN json_extract_string(x.insightDetails, '$.{field}') ELSE {typed[name]} END"
        )
    event_name = typed["event_name"]
    event_time = typed["event_time"]
    recipient = typed["recipient_account_id"]
    account_id = f"'{ACCOUNT_ID_PATTERN}'"
    # Reasons quote at most this much of the offending value.
    quote = 64
    reason = (
        "CASE WHEN doc IS NULL THEN 'no Records array in this file' "
        "WHEN NOT starts_with(ltrim(doc), '{') THEN 'record is not a JSON object' "
        "WHEN x.eventTime IS NULL THEN 'missing eventTime' "
        "WHEN NOT starts_with(CAST(x.eventTime AS VARCHAR), '\"') "
        "THEN 'eventTime is ' || json_type(x.eventTime) || ', expected a string' "
        f"WHEN {event_time} IS NULL "
        f"THEN 'eventTime is not a timestamp: ' || left({event_time_text}, {quote}) "
        f"WHEN NOT ({event_time} >= TIMESTAMPTZ '{EVENT_TIME_MIN}' "
        f"AND {event_time} < TIMESTAMPTZ '{EVENT_TIME_MAX}') "
        f"THEN 'eventTime is outside {EVENT_TIME_MIN[:10]} to {EVENT_TIME_MAX[:10]}: ' "
        f"|| left({event_time_text}, {quote}) "
        f"WHEN {event_name} IS NULL THEN 'missing eventName' "
        "WHEN x.eventName IS NOT NULL AND NOT starts_with(CAST(x.eventName AS VARCHAR), '\"') "
        "THEN 'eventName is ' || json_type(x.eventName) || ', expected a string' "
        f"WHEN {event_name} = '' THEN 'missing eventName' "
        "WHEN x.userIdentity IS NOT NULL AND NOT starts_with(CAST(x.userIdentity AS VARCHAR), '{') "
        "THEN 'userIdentity is ' || json_type(x.userIdentity) || ', expected an object' "
        f"WHEN {recipient} IS NOT NULL AND NOT regexp_matches({recipient}, {account_id}) "
        f"THEN 'recipientAccountId is not a 12-digit account ID: ' || left({recipient}, {quote}) "
        "ELSE NULL END"
    )
    event_type = typed["event_type"]
    category = (
        f"coalesce({typed['event_category']}, CASE "
        f"WHEN {event_type} = 'AwsCloudTrailInsight' THEN 'Insight' "
        f"WHEN {event_type} = 'AwsVpceEvent' THEN 'NetworkActivity' "
        f"WHEN {typed['management_event']} = false THEN 'Data' "
        "ELSE 'Management' END)"
    )
    user_type, user_arn = typed["user_type"], typed["user_arn"]
    issuer_arn = typed["session_issuer_arn"]
    actor = (
        f"CASE WHEN {user_type} = 'AssumedRole' AND {issuer_arn} IS NOT NULL "
        f"THEN {issuer_arn} || '/' || coalesce(nullif(regexp_extract({user_arn}, '[^/]+$'), ''), "
        f"split_part({typed['user_principal_id']}, ':', 2)) "
        f"WHEN {user_type} = 'AWSService' THEN coalesce({typed['user_invoked_by']}, "
        f"{typed['source_ip_address']}) "
        f"WHEN {user_type} = 'AWSAccount' THEN 'account:' || coalesce({typed['user_account_id']}, "
        f"{typed['user_principal_id']}) "
        f"WHEN {user_type} = 'IdentityCenterUser' THEN 'identitycenter:' || coalesce("
        f"{typed['user_on_behalf_of_user_id']}, {typed['user_name']}, "
        f"{typed['user_principal_id']}) "
        f"ELSE coalesce({user_arn}, {typed['user_name']}, {typed['user_principal_id']}, "
        f"{typed['user_invoked_by']}, 'unknown') END"
    )
    source_ip = typed["source_ip_address"]
    derived = {
        "actor": actor,
        "is_console_login": f"coalesce({event_name} = 'ConsoleLogin', false)",
        "is_aws_service_caller": (
            f"coalesce(ends_with(lower({source_ip}), '.amazonaws.com') "
            f"OR {source_ip} = 'AWS Internal', false)"
        ),
        "is_error": f"coalesce({typed['error_code']} <> '', false)",
    }
    overrides = {
        "event_category": category,
        "event_id": f"coalesce({typed['event_id']}, 'th-' || md5(raw))",
        "raw": "raw",
        "source_object": "source_object",
        "source_index": "source_index",
        "ingested_at": "now()",
    }
    promoted_lists, promoted = _promoted()
    select: list[str] = []
    for column in EVENT_COLUMNS:
        sql = overrides.get(column.name) or typed.get(column.name) or json_cols.get(column.name)
        sql = sql or promoted.get(column.name) or derived[column.name]
        select.append(f"{sql} AS {column.name}")
    # The partition folder: a 12-digit account ID or ``unknown``, never any other text.
    user_account = typed["user_account_id"]
    account = (
        f"CASE WHEN regexp_matches({recipient}, {account_id}) THEN {recipient} "
        f"WHEN regexp_matches({user_account}, {account_id}) THEN {user_account} "
        f"WHEN regexp_matches(account_hint, {account_id}) THEN account_hint ELSE 'unknown' END"
    )
    select.append(f"CAST({event_time} AS DATE) AS date")
    select.append(f"{account} AS account")
    select.append(f"{reason} AS quarantine_reason")
    # Lower-cased identity keys (seen in exported and hand-written records) need the repair pass.
    select.append(
        "coalesce(regexp_matches(CAST(x.userIdentity AS VARCHAR), "
        "'\"(sessioncontext|sessionissuer|accountid|principalid|accesskeyid|username)\"'), "
        "false) AS needs_key_repair"
    )
    select.append(f"{needs_structure_check_sql('raw', limits)} AS needs_structure_check")

    record_json = _sql_string(json.dumps(record_shape))
    identity_json = _sql_string(json.dumps(identity_shape))
    parsed = (
        "SELECT source_object, source_index, account_hint, raw, doc, x, "
        f"json_transform(x.userIdentity, {identity_json}) AS u, {', '.join(promoted_lists)} "
        f"FROM (SELECT *, json_transform(doc, {record_json}) AS x FROM {relation}) AS t"
    )
    sql = f"SELECT {', '.join(select)} FROM ({parsed}) AS parsed"
    exp.maybe_parse(sql, dialect="duckdb")
    return sql
