"""Profiles: what each identity, access key, account and VPC endpoint was seen with, and when.

A profile is rows of ``analytics_profiles`` (``tables.py``): one per subject, facet and value,
with the first and last time and the number of events; the facet ``any`` (value empty) is the
subject itself, so its ``first_seen`` says how long the subject has been watched. Hourly volume
goes to ``analytics_volume``. Both are computed by one aggregate over a relation of events with
the ``cloudtrail`` columns and the ``src_*`` intel fields (an ingest batch, or the lake), never
event by event in Python: the aggregate (one row per distinct subject, facet and value) goes to
the state database as Arrow and is merged there with ``INSERT … ON CONFLICT``.

``train`` rebuilds the profiles from the stored events (``trailhound analytics train``); the
analytics detector merges every committed batch afterwards (``detector.AnalyticsDetector``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from trailhound.data_dir import DataDir
from trailhound.store.state import StateDB

# An identity a person uses (the rest, roles of services and machines, get the lower-severity
# variation of the detectors that have one).
HUMAN_SQL = (
    "(user_type IN ('IAMUser', 'Root', 'IdentityCenterUser', 'SAMLUser') "
    "OR coalesce(session_credential_from_console, false) "
    "OR coalesce(session_issuer_arn, '') LIKE '%/AWSReservedSSO_%')"
)
# The person behind a human identity, across sessions, roles and accounts: the source identity
# a session carries, else an Identity Center or federated session's name (the user's name or
# address, the same in every account and permission set), else the identity itself (an IAM
# user, root). NULL for machines: only people travel.
_SESSION_NAME = "nullif(regexp_extract(user_arn, '[^/]+$'), '')"
PERSON_SQL = (
    f"CASE WHEN {HUMAN_SQL} THEN CASE "
    "WHEN user_type = 'AssumedRole' AND nullif(session_source_identity, '') IS NOT NULL "
    "THEN 'person:' || lower(session_source_identity) "
    "WHEN user_type = 'AssumedRole' AND (coalesce(session_issuer_arn, '') LIKE "
    f"'%/AWSReservedSSO_%' OR {_SESSION_NAME} LIKE '%@%') "
    f"THEN 'person:' || lower({_SESSION_NAME}) ELSE actor END END"
)
# The subject of each scope, as a ``cloudtrail`` column.
SUBJECTS: dict[str, str] = {
    "actor": "actor",
    # Long-term keys only: a temporary (ASIA…) key lives hours, its profile would teach nothing.
    "access_key": "CASE WHEN user_access_key_id LIKE 'AKIA%' THEN user_access_key_id END",
    "account": "account",
    "vpce": "vpc_endpoint_id",
    "person": PERSON_SQL,
}
_SERVICE = "event_source"
_API = "event_source || ':' || event_name"
_ASN = "CAST(src_asn AS VARCHAR)"
# A successful console login.
CONSOLE_OK_SQL = (
    "is_console_login AND json_extract_string(response_elements, '$.ConsoleLogin') = 'Success'"
)
_BUCKET = (
    "CASE WHEN event_source = 's3.amazonaws.com' "
    "THEN json_extract_string(request_parameters, '$.bucketName') END"
)
# The product token of a user agent, lower-cased: aws-cli, boto3, mozilla, … (a version bump is
# not a new client; a new tool is).
_AGENT = "lower(nullif(regexp_extract(user_agent, '^\\[?([A-Za-z][A-Za-z0-9._-]*)', 1), ''))"
# Offensive and audit tooling named in a user agent (the tools' own defaults).
TOOL_SQL = (
    "CASE WHEN user_agent ILIKE '%pacu%' THEN 'Pacu' "
    "WHEN user_agent ILIKE '%scoutsuite%' OR user_agent ILIKE '%scout suite%' THEN 'ScoutSuite' "
    "WHEN user_agent ILIKE '%stratus-red-team%' OR user_agent ILIKE '%stratus red team%' "
    "THEN 'Stratus Red Team' "
    "WHEN user_agent ILIKE '%cloudfox%' THEN 'CloudFox' "
    "WHEN user_agent ILIKE '%prowler%' THEN 'Prowler' END"
)
# The facets learned per scope: name → SQL over the event's columns (NULL: not learned).
FACETS: dict[str, tuple[tuple[str, str], ...]] = {
    "actor": (
        ("any", "''"),
        ("service", _SERVICE),
        ("api", _API),
        ("region", "aws_region"),
        ("country", "src_country"),
        ("asn", _ASN),
        ("user_agent", "left(user_agent, 256)"),
        ("agent", _AGENT),
        ("tool", TOOL_SQL),
        ("bucket", _BUCKET),
        ("console_ip", f"CASE WHEN {CONSOLE_OK_SQL} THEN source_ip_address END"),
        ("console_country", f"CASE WHEN {CONSOLE_OK_SQL} THEN src_country END"),
        ("vpce", "vpc_endpoint_id"),
    ),
    "access_key": (
        ("any", "''"),
        ("service", _SERVICE),
        ("region", "aws_region"),
        ("country", "src_country"),
        ("asn", _ASN),
        ("user_agent", "left(user_agent, 256)"),
    ),
    "account": (
        ("any", "''"),
        ("service", _SERVICE),
        ("region", "aws_region"),
        ("country", "src_country"),
        ("asn", _ASN),
    ),
    "vpce": (("any", "''"), ("caller_account", "user_account_id")),
    "person": (
        ("any", "''"),
        ("console_country", f"CASE WHEN {CONSOLE_OK_SQL} THEN src_country END"),
    ),
}
# A call refused for want of permission (the denied-burst detector and the hourly counts).
DENIED_SQL = (
    "(error_code IS NOT NULL AND (error_code ILIKE '%denied%' OR error_code ILIKE "
    "'%unauthorized%' OR error_code ILIKE '%forbidden%' OR error_code = 'AuthorizationError'))"
)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def facts_sql(relation: str, where: str = "true") -> str:
    """One row per subject, facet and value of ``relation``'s events, with its first event's ID.

    Two steps: the events are first grouped by every subject and facet value at once (far
    fewer rows than events: an identity repeats its calls), each expression computed once per
    event; the groups are then unnested per scope and facet. Only the first event's ID is kept:
    the rest of a first event is read back for the few that are findings. ``relation`` and
    ``where`` are the caller's constants, never user input.
    """
    expressions: dict[str, str] = {}  # SQL → its column in the first step
    for scope, subject in SUBJECTS.items():
        for sql in (subject, *(sql for _, sql in FACETS[scope])):
            expressions.setdefault(sql, f"c{len(expressions)}")
    columns = ", ".join(f"CAST({sql} AS VARCHAR) AS {name}" for sql, name in expressions.items())
    grouped = (
        f"SELECT {columns}, min(event_time) AS first_seen, max(event_time) AS last_seen, "
        "count(*) AS events, arg_min(event_id, (event_time, event_id)) AS event_id "
        f"FROM {relation} WHERE ({where}) GROUP BY ALL"
    )
    branches = []
    for scope, subject in SUBJECTS.items():
        pairs = ", ".join(
            "{'facet': " + _quote(name) + ", 'value': " + expressions[sql] + "}"
            for name, sql in FACETS[scope]
        )
        column = expressions[subject]
        branches.append(
            f"SELECT {_quote(scope)} AS scope, {column} AS subject, unnest([{pairs}], "
            "recursive := true), first_seen, last_seen, events, event_id FROM grouped "
            f"WHERE {column} IS NOT NULL AND {column} <> ''"
        )
    union = " UNION ALL ".join(branches)
    return (
        f"WITH grouped AS MATERIALIZED ({grouped}) "
        "SELECT scope, subject, facet, value, min(first_seen) AS first_seen, "
        "max(last_seen) AS last_seen, sum(events)::BIGINT AS events, "
        "arg_min(event_id, (first_seen, event_id)) AS event_id "
        f"FROM ({union}) WHERE value IS NOT NULL GROUP BY ALL"
    )


# The hourly counts kept, by volume scope: (subject, which events). ``actor_data`` counts an
# identity's data events only (object reads and writes, function calls), ``vpce`` the calls
# through a VPC endpoint.
VOLUME_SCOPES: dict[str, tuple[str, str]] = {
    "actor": ("actor", "true"),
    "account": ("account", "true"),
    "actor_data": ("actor", "management_event = false"),
    "vpce": ("vpc_endpoint_id", "true"),
}


def volume_sql(relation: str, where: str = "true") -> str:
    """Hourly events and denied calls per identity, account and VPC endpoint of ``relation``
    (and per identity its data events), with each hour's first event: one grouping of the
    events by every subject and hour at once, then rolled up per scope."""
    subjects: dict[str, str] = {}  # SQL → its column in the first step
    filters: dict[str, str] = {}
    for subject, only in VOLUME_SCOPES.values():
        subjects.setdefault(subject, f"s{len(subjects)}")
        filters.setdefault(only, f"f{len(filters)}")
    keys = [f"{sql} AS {name}" for sql, name in subjects.items()]
    keys += [f"coalesce({sql}, false) AS {name}" for sql, name in filters.items()]
    grouped = (
        f"SELECT {', '.join(keys)}, date_trunc('hour', event_time) AS hour, count(*) AS events, "
        f"count(*) FILTER (WHERE {DENIED_SQL}) AS denied, "
        "arg_min(event_id, (event_time, event_id)) AS event_id, min(event_time) AS first_time "
        f"FROM {relation} WHERE ({where}) GROUP BY ALL"
    )
    branches = [
        f"SELECT {_quote(scope)} AS scope, {subjects[subject]} AS subject, hour, "
        "sum(events)::BIGINT AS events, sum(denied)::BIGINT AS denied, "
        "arg_min(event_id, (first_time, event_id)) AS event_id, min(first_time) AS first_time "
        f"FROM grouped WHERE {filters[only]} AND {subjects[subject]} IS NOT NULL GROUP BY ALL"
        for scope, (subject, only) in VOLUME_SCOPES.items()
    ]
    return f"WITH grouped AS MATERIALIZED ({grouped}) " + " UNION ALL ".join(branches)


_PROFILE_COLUMNS = "scope, subject, facet, value, first_seen, last_seen, events, event_id"
# A value keeps its first event's ID: a batch older than the profile (a backfill) replaces it.
_MERGE_PROFILES = (
    f"INSERT INTO analytics_profiles ({_PROFILE_COLUMNS}) SELECT {_PROFILE_COLUMNS} "
    "FROM batch_facts ON CONFLICT (scope, subject, facet, value) DO UPDATE SET "
    "event_id = CASE WHEN excluded.first_seen < analytics_profiles.first_seen "
    "OR analytics_profiles.event_id IS NULL THEN excluded.event_id "
    "ELSE analytics_profiles.event_id END, "
    "first_seen = least(analytics_profiles.first_seen, excluded.first_seen), "
    "last_seen = greatest(analytics_profiles.last_seen, excluded.last_seen), "
    "events = analytics_profiles.events + excluded.events"
)
_MERGE_VOLUME = (
    "INSERT INTO analytics_volume (scope, subject, hour, events, denied, event_id, first_time) "
    "SELECT scope, subject, hour, events, denied, event_id, first_time FROM batch_volume "
    "ON CONFLICT (scope, subject, hour) DO UPDATE SET "
    "event_id = CASE WHEN excluded.first_time < analytics_volume.first_time "
    "OR analytics_volume.event_id IS NULL THEN excluded.event_id "
    "ELSE analytics_volume.event_id END, "
    "first_time = least(analytics_volume.first_time, excluded.first_time), "
    "events = analytics_volume.events + excluded.events, "
    "denied = analytics_volume.denied + excluded.denied"
)


def merge(con: duckdb.DuckDBPyConnection, facts: pa.Table, volume: pa.Table) -> None:
    """Merge a batch's aggregates into the profiles, on a state database connection."""
    con.register("batch_facts", facts)
    con.register("batch_volume", volume)
    try:
        con.execute("BEGIN")
        con.execute(_MERGE_PROFILES)
        con.execute(_MERGE_VOLUME)
        con.execute("COMMIT")
    finally:
        con.unregister("batch_facts")
        con.unregister("batch_volume")


@dataclass(frozen=True, slots=True)
class TrainSummary:
    """What ``train`` learned."""

    events: int
    rows: int  # profile values
    subjects: dict[str, int]  # scope → subjects
    seconds: float


def train(data_dir: DataDir, since: timedelta | None = None) -> TrainSummary:
    """Rebuild every profile from the stored events of the last ``since`` (None: all)."""
    from trailhound.store.duckdb import DuckDBBackend

    started = time.perf_counter()
    where = "true"
    if since is not None:  # a time computed here, written as a literal: a view takes no parameter
        where = f"event_time >= TIMESTAMPTZ '{(datetime.now(UTC) - since).isoformat()}'"
    with DuckDBBackend.open(data_dir) as backend:
        con = backend.con
        con.execute(f"CREATE TEMP VIEW training AS SELECT * FROM cloudtrail WHERE {where}")
        ((events,),) = con.execute("SELECT count(*) FROM training").fetchall()
        facts: pa.Table = con.sql(facts_sql("training")).to_arrow_table()
        volume = con.sql(volume_sql("training")).to_arrow_table()
    with StateDB(data_dir.state_db).connect() as state:
        state.execute("BEGIN")
        state.execute("DELETE FROM analytics_profiles")
        state.execute("DELETE FROM analytics_volume")
        state.execute("COMMIT")
        merge(state, facts, volume)
        subjects = dict(
            state.execute(
                "SELECT scope, count(*) FROM analytics_profiles WHERE facet = 'any' GROUP BY ALL"
            ).fetchall()
        )
    return TrainSummary(events, facts.num_rows, subjects, time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class Profile:
    """One subject's profile, as ``trailhound analytics profile`` shows it."""

    scope: str
    subject: str
    first_seen: datetime | None
    last_seen: datetime | None
    events: int
    facets: dict[str, list[tuple[str, datetime, datetime, int]]]  # facet → values
    hours_active: int
    median_per_hour: float
    max_per_hour: int
    denied: int


def load_profile(data_dir: DataDir, subject: str, scope: str = "actor") -> Profile | None:
    """The stored profile of ``subject`` in ``scope``, or None if it has none."""
    with StateDB(data_dir.state_db).connect(read_only=True) as con:
        rows = con.execute(
            "SELECT facet, value, first_seen, last_seen, events FROM analytics_profiles "
            "WHERE scope = ? AND subject = ? ORDER BY facet, events DESC, value",
            [scope, subject],
        ).fetchall()
        volume: Any = con.execute(
            "SELECT count(*), coalesce(median(events), 0), coalesce(max(events), 0), "
            "coalesce(sum(denied), 0) FROM analytics_volume WHERE scope = ? AND subject = ?",
            [scope, subject],
        ).fetchone()
    if not rows:
        return None
    facets: dict[str, list[tuple[str, datetime, datetime, int]]] = {}
    whole = None
    for facet, value, first, last, events in rows:
        if facet == "any":
            whole = (first, last, int(events))
        else:
            facets.setdefault(facet, []).append((value, first, last, int(events)))
    first, last, events = whole if whole else (None, None, 0)
    hours, median, peak, denied = volume
    return Profile(scope, subject, first, last, events, facets, int(hours), float(median),
                   int(peak), int(denied))  # fmt: skip
