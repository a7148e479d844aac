"""Who stands behind an event: its principal, access key, session, and the chain back to the
first identity (the root cause) through the calls that issued its credentials.

A role session's events name the session's temporary access key (``ASIA…``); the ``AssumeRole``
(or ``AssumeRoleWithSAML``, ``GetFederationToken``…) call that issued that key names it in
``responseElements.credentials.accessKeyId``, and its own caller is the identity one step up the
chain, itself perhaps a session. ``ChainWalker`` follows those steps through the lake, a set of
keys at a time; where the issuing call is not stored (another account's trail, older than the
lake), the session's ``sourceIdentity`` names who is behind it, if set.

Incident grouping (``incidents.grouping``) and the root-cause graph (``incidents.graph``) read the
same facts, through a store backend: queries are sqlglot expressions with their values as
literals, rendered in the backend's dialect.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
from sqlglot import exp

from trailhound.query.dialects import get_dialect
from trailhound.store.base import Backend, QueryResult

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir

# Calls whose response carries new temporary credentials.
ISSUING_CALLS = (
    "AssumeRole",
    "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity",
    "GetFederationToken",
    "GetSessionToken",
    "AssumeRoot",
)
SESSION_TYPES = frozenset({"AssumedRole", "FederatedUser"})
# Columns read for every event; the source-address enrichment columns are read when present.
EVENT_FIELDS = (
    "event_id",
    "event_time",
    "event_source",
    "event_name",
    "aws_region",
    "source_ip_address",
    "error_code",
    "recipient_account_id",
    "user_type",
    "user_arn",
    "user_name",
    "user_principal_id",
    "user_access_key_id",
    "session_issuer_arn",
    "session_source_identity",
    "actor",
    "is_aws_service_caller",
    "vpc_endpoint_id",
    "request_parameters",
    "response_elements",
    "resources",
)
ENRICHMENT_FIELDS = ("src_country", "src_asn", "src_is_tor", "src_in_aws")
# What grouping needs of an event: who, with which key, and the credentials it issued.
IDENTITY_FIELDS = tuple(
    f for f in EVENT_FIELDS if f not in ("request_parameters", "resources", "vpc_endpoint_id")
)
MAX_HOPS = 8  # role chaining deeper than this is not followed
# Credentials live at most 36 hours (GetSessionToken); the issuing call is looked for that far back.
CREDENTIAL_LIFETIME = timedelta(hours=36)
MAX_IN_LIST = 5000  # values in one IN list; more are asked for in several queries


# Past this many days a read lists the whole lake rather than day by day.
MAX_DAYS_LISTED = 62


def open_lake_backend(data_dir: DataDir, start: datetime, end: datetime) -> Backend:
    """A DuckDB backend over the lake's days an event search from ``start`` to ``end`` reads,
    issuing calls before it included: a few days cost a few files, not the whole lake."""
    from trailhound.store.duckdb import DuckDBBackend
    from trailhound.store.lakes import open_lake

    first, last = (start - CREDENTIAL_LIFETIME).date(), end.date()
    if (last - first).days > MAX_DAYS_LISTED:
        return DuckDBBackend.open(data_dir)
    return DuckDBBackend.open(data_dir, open_lake(data_dir).partitions_between(first, last))


def json_object(text: object) -> dict[str, Any]:
    """A JSON column's object, or an empty one for null, non-objects and damaged text."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def issued_key(event: dict[str, Any]) -> str | None:
    """The access key an event's call issued: new temporary credentials, or a created key."""
    if event.get("error_code"):
        return None
    response = json_object(event.get("response_elements"))
    credentials = response.get("credentials")
    if isinstance(credentials, dict) and isinstance(credentials.get("accessKeyId"), str):
        return str(credentials["accessKeyId"])
    created = response.get("accessKey")
    if isinstance(created, dict) and isinstance(created.get("accessKeyId"), str):
        return str(created["accessKeyId"])
    return None


def is_service(event: dict[str, Any]) -> bool:
    """Whether an AWS service acted (no principal of the customer's to group or blame)."""
    actor = str(event.get("actor") or "")
    return (
        event.get("user_type") == "AWSService"
        or actor in ("", "unknown")
        or actor.endswith(".amazonaws.com")
        or actor == "AWS Internal"
    )


def is_session(event: dict[str, Any]) -> bool:
    """Whether the caller used temporary credentials issued by a call that may be stored."""
    key = str(event.get("user_access_key_id") or "")
    return event.get("user_type") in SESSION_TYPES or key.startswith("ASIA")


def _day(value: datetime) -> exp.Expr:
    return exp.cast(exp.Literal.string(value.date().isoformat()), exp.DataType.Type.DATE)


def _between_days(start: datetime, end: datetime) -> exp.Expr:
    """The ``date`` partition filter (the lake reads only those folders) for a time range."""
    return exp.column("date").between(_day(start), _day(end))


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), MAX_IN_LIST):
        yield list(values[start : start + MAX_IN_LIST])


class EventReader:
    """Reads events from the lake through a backend: the identity columns only, or every
    column the graph shows, source-address enrichment included where the lake has it."""

    def __init__(self, backend: Backend, *, identities_only: bool = False) -> None:
        self.backend = backend
        self._columns: tuple[str, ...] | None = IDENTITY_FIELDS if identities_only else None

    @property
    def columns(self) -> tuple[str, ...]:
        """The event columns read."""
        if self._columns is None:
            query = exp.select("*").from_("cloudtrail").limit(0)
            present = set(self._run(query).columns)
            self._columns = EVENT_FIELDS + tuple(c for c in ENRICHMENT_FIELDS if c in present)
        return self._columns

    def _run(self, query: exp.Expr) -> QueryResult:
        """Run a compiled tree, rendered in the backend's dialect."""
        return self.backend.execute(get_dialect(self.backend.dialect).generate(query))

    def select(
        self,
        where: exp.Expr,
        start: datetime,
        end: datetime,
        *,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Events between ``start`` and ``end`` (inclusive) matching ``where``, oldest first."""
        query = (
            exp.select(*self.columns)
            .from_("cloudtrail")
            .where(_between_days(start, end))
            .where(exp.column("event_time").between(exp.Literal.string(start.isoformat()),
                                                    exp.Literal.string(end.isoformat())))
            .where(where)
            .order_by("event_time", "event_id")
        )  # fmt: skip
        if limit is not None:
            query = query.limit(limit)
        result = self._run(query)
        return [dict(zip(result.columns, row, strict=True)) for row in result.rows]

    def by_ids(
        self, event_ids: Iterable[str], start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The events with these IDs between ``start`` and ``end``."""
        ids = sorted(set(event_ids))
        found: list[dict[str, Any]] = []
        for chunk in _chunks(ids):
            found += self.select(exp.column("event_id").isin(*chunk), start, end)
        return found

    def issuers(self, keys: Iterable[str], start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The stored calls that issued any of ``keys`` as temporary credentials."""
        wanted = sorted(set(keys))
        issued = exp.JSONExtractScalar(
            this=exp.column("response_elements"),
            expression=exp.Literal.string("$.credentials.accessKeyId"),
        )
        found: list[dict[str, Any]] = []
        for chunk in _chunks(wanted):
            where = exp.and_(
                exp.column("event_name").isin(*ISSUING_CALLS),
                exp.column("error_code").is_(exp.null()),
                issued.isin(*chunk),
            )
            found += self.select(where, start - CREDENTIAL_LIFETIME, end)
        return found


@dataclass(frozen=True, slots=True)
class Chains:
    """The calls that issued each session key, found in the lake: ``key → issuing event``."""

    issuers: dict[str, dict[str, Any]]

    def chain(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """The issuing calls behind an event, nearest first, back to the first identity's."""
        steps: list[dict[str, Any]] = []
        seen: set[str] = set()
        current = event
        while is_session(current) and len(steps) < MAX_HOPS:
            key = str(current.get("user_access_key_id") or "")
            issuer = self.issuers.get(key)
            if issuer is None or key in seen:
                break
            seen.add(key)
            steps.append(issuer)
            current = issuer
        return steps

    def root(self, event: dict[str, Any]) -> str:
        """The first identity behind an event: the caller at the far end of its chain, else
        the session's ``sourceIdentity``, else its own actor."""
        steps = self.chain(event)
        first = steps[-1] if steps else event
        if not is_session(first) and not is_service(first):
            return str(first.get("actor"))
        source_identity = first.get("session_source_identity") or event.get(
            "session_source_identity"
        )
        if source_identity:
            return f"source-identity:{source_identity}"
        if steps and not is_service(first):
            return str(first.get("actor"))
        return str(event.get("actor"))


def walk_chains(reader: EventReader, events: Sequence[dict[str, Any]]) -> Chains:
    """Find, hop by hop, the calls that issued the session keys of ``events``."""
    issuers: dict[str, dict[str, Any]] = {}
    frontier = [e for e in events if is_session(e) and e.get("user_access_key_id")]
    for _ in range(MAX_HOPS):
        keys = {str(e["user_access_key_id"]) for e in frontier} - set(issuers)
        if not keys:
            break
        times = [e["event_time"] for e in frontier]
        found = reader.issuers(keys, min(times), max(times))
        frontier = []
        for issuer in found:
            key = issued_key(issuer)
            # The earliest issuing call wins: a key is issued once; a repeat is a replay.
            if key in keys and key not in issuers:
                issuers[key] = issuer
                if is_session(issuer) and issuer.get("user_access_key_id"):
                    frontier.append(issuer)
    return Chains(issuers)


def grouping_keys(event: dict[str, Any], chains: Chains) -> set[str]:
    """What an event shares with others of one intrusion: its principal and the first identity
    of its chain (``principal:``), the access keys it used or issued (``key:``), its session's
    source identity (``source-identity:``). None for an AWS service's own calls."""
    if is_service(event):
        return set()
    keys = {f"principal:{event['actor']}"}
    root = chains.root(event)
    keys.add(root if root.startswith("source-identity:") else f"principal:{root}")
    for key in (event.get("user_access_key_id"), issued_key(event)):
        if key:
            keys.add(f"key:{key}")
    if event.get("session_source_identity"):
        keys.add(f"source-identity:{event['session_source_identity']}")
    return keys
