"""Incident grouping: alerts that share a principal, an access key, a session or an assumed-role
chain within a window become one incident.

``IncidentGrouper.group`` runs after the alert store has recorded a set of alerts (``AlertStore``
calls it with the alerts it created or grew). It reads the alerting events from the lake once
for the whole set, walks their session keys back to the first identity (``incidents.identities``)
and derives each alert's grouping keys. Then, in one transaction of the state database, every
alert not yet in an incident joins the open incident (``new`` or ``in_progress``) it shares a key
with within the window (the ``incident-window`` setting, 24 hours by default) or opens a new one;
an alert that bridges two open incidents merges them into the older. A resolved or
false-positive incident is closed: later alerts about the same principal open a new incident.
An alert stays in the incident it joined; when it grows, its keys and the incident's figures
are brought up to date.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from trailhound.durations import DurationError, parse_duration
from trailhound.errors import IncidentError, TrailhoundError
from trailhound.incidents.identities import (
    EventReader,
    grouping_keys,
    open_lake_backend,
    walk_chains,
)
from trailhound.store.state import StateDB
from trailhound.tables import ALERTS

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir
    from trailhound.store.base import Backend

logger = logging.getLogger(__name__)

WINDOW_SETTING = "incident-window"
DEFAULT_WINDOW = timedelta(hours=24)
OPEN_STATUSES = ("new", "in_progress")
SEVERITIES = ("informational", "low", "medium", "high", "critical")
WEIGHTS = {"informational": 1, "low": 3, "medium": 8, "high": 15, "critical": 25}
# An alert's first and last events are read for its keys: a noisy alert's middle repeats them.
EVENTS_PER_ALERT = 50


@dataclass(frozen=True, slots=True)
class AlertIdentity:
    """What an alert's events say about who is behind it."""

    keys: frozenset[str]
    root: str | None


@dataclass(slots=True)
class _Cluster:
    """Alerts bound for one incident: an open one already stored, or a new one."""

    incident_id: str | None
    keys: set[str]
    first: datetime
    last: datetime
    status: str = "new"
    assignee: str | None = None
    created_at: datetime | None = None
    alerts: list[str] = field(default_factory=list)
    merged: list[_Cluster] = field(default_factory=list)


def _incident_id(first_alert: str) -> str:
    return "in-" + hashlib.sha1(first_alert.encode()).hexdigest()[:16]


def _short(identity: str | None) -> str:
    """An identity as a title shows it: the ARN's resource part, a role's path left out.

    >>> _short("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/Admin/jo@x.org")
    'role/Admin/jo@x.org'
    """
    if not identity:
        return "unknown principal"
    if not identity.startswith("arn:"):
        return identity
    resource = identity.split(":", 5)[-1]
    if resource.startswith("role/") and resource.count("/") > 2:
        return "role/" + "/".join(resource.rsplit("/", 2)[-2:])
    return resource


def severity_and_score(severities: Sequence[str], tactics: int) -> tuple[str, int]:
    """An incident's severity (its worst alert's, one level up for three tactics or more) and
    score (0-100: the alerts' severity weights, five more for each tactic past the first).

    >>> severity_and_score(["high", "medium", "low"], 3)
    ('critical', 36)
    """
    ranks = [SEVERITIES.index(s) if s in SEVERITIES else 2 for s in severities] or [0]
    rank = max(ranks) + (1 if tactics >= 3 else 0)
    score = sum(WEIGHTS[SEVERITIES[r]] for r in ranks) + 5 * max(tactics - 1, 0)
    return SEVERITIES[min(rank, len(SEVERITIES) - 1)], min(score, 100)


class IncidentGrouper:
    """Groups the alerts of one state database into incidents, reading events through a
    backend over the lake (``open_backend(start, end)``: one that sees at least the events from
    a day and a half before ``start`` to ``end``)."""

    def __init__(
        self,
        state: StateDB,
        open_backend: Callable[[datetime, datetime], Backend],
        *,
        window: timedelta | None = None,
    ) -> None:
        self.state = state
        self.open_backend = open_backend
        self._window = window

    @classmethod
    def for_data_dir(cls, data_dir: DataDir) -> IncidentGrouper:
        """The data directory's incidents, reading its lake through DuckDB."""
        return cls(
            StateDB(data_dir.state_db), lambda start, end: open_lake_backend(data_dir, start, end)
        )

    @property
    def window(self) -> timedelta:
        """How far apart alerts may be and still share an incident (``incident-window``)."""
        if self._window is None:
            value = self.state.get_setting(WINDOW_SETTING)
            try:
                self._window = parse_duration(value) if value else DEFAULT_WINDOW
            except DurationError as error:
                raise IncidentError(f"setting {WINDOW_SETTING}: {error.message}") from error
        return self._window

    # Reading the events ------------------------------------------------------------------
    def identify(self, alerts: Sequence[dict[str, Any]]) -> dict[str, AlertIdentity]:
        """Each alert's grouping keys and first identity, from its events in the lake."""
        wanted: dict[str, list[str]] = {}
        for alert in alerts:
            ids = list(alert["event_ids"])
            wanted[alert["id"]] = (
                ids[:EVENTS_PER_ALERT] + ids[EVENTS_PER_ALERT:][-EVENTS_PER_ALERT:]
            )
        events: dict[str, dict[str, Any]] = {}
        if any(wanted.values()):
            start = min(a["first_seen"] for a in alerts)
            end = max(a["last_seen"] for a in alerts)
            backend = self.open_backend(start, end)
            try:
                reader = EventReader(backend, identities_only=True)
                found = reader.by_ids({e for ids in wanted.values() for e in ids}, start, end)
                chains = walk_chains(reader, found)
            finally:
                backend.close()
            events = {e["event_id"]: e for e in found}
        identities: dict[str, AlertIdentity] = {}
        for alert in alerts:
            mine = [events[e] for e in wanted[alert["id"]] if e in events]
            keys: set[str] = set()
            root: str | None = None
            for event in mine:
                found_keys = grouping_keys(event, chains)
                keys |= found_keys
                if root is None and found_keys:
                    root = chains.root(event)
            if not mine and alert.get("actor"):  # a finding without stored events
                keys.add(f"principal:{alert['actor']}")
                root = str(alert["actor"])
            identities[alert["id"]] = AlertIdentity(frozenset(keys), root)
        return identities

    # Grouping ----------------------------------------------------------------------------
    def group(self, alerts: Sequence[dict[str, Any]]) -> list[str]:
        """Put recorded alerts into incidents; returns the IDs of the incidents changed."""
        if not alerts:
            return []
        identities = self.identify(alerts)  # the lake is read before the state is opened
        window = self.window
        now = datetime.now(UTC)
        with self.state.connect() as con:
            con.execute("BEGIN")
            try:
                changed = self._group(con, alerts, identities, window, now)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return changed

    def group_safely(self, alerts: Sequence[dict[str, Any]]) -> list[str]:
        """``group``, logging a failure instead of raising it: the alerts are stored already,
        and ``trailhound incidents regroup`` groups them later."""
        try:
            return self.group(alerts)
        except (TrailhoundError, duckdb.Error, OSError) as error:
            logger.warning(
                "incident grouping failed (run `trailhound incidents regroup`): %s", error
            )
        except Exception as error:  # a bug here must not stop ingest or a hunt
            logger.warning(
                "incident grouping failed (run `trailhound incidents regroup`): %r",
                error,
                exc_info=True,
            )
        return []

    def _group(
        self,
        con: duckdb.DuckDBPyConnection,
        alerts: Sequence[dict[str, Any]],
        identities: dict[str, AlertIdentity],
        window: timedelta,
        now: datetime,
    ) -> list[str]:
        ids = [a["id"] for a in alerts]
        linked = dict(
            con.execute(
                "SELECT alert_id, incident_id FROM incident_alerts "
                "WHERE alert_id IN (SELECT unnest(CAST(? AS VARCHAR[])))",
                [ids],
            ).fetchall()
        )
        affected: set[str] = set(linked.values())
        for alert_id in linked:  # grown alerts: their events may name more keys
            con.execute(
                "UPDATE incident_alerts SET keys = list_sort(list_distinct("
                "list_concat(keys, CAST(? AS VARCHAR[])))) WHERE alert_id = ?",
                [sorted(identities[alert_id].keys), alert_id],
            )
        fresh = sorted(
            (a for a in alerts if a["id"] not in linked), key=lambda a: (a["first_seen"], a["id"])
        )
        if fresh:
            clusters = self._open_incidents(con, fresh, identities, window)
            self._assign(fresh, identities, clusters, window)
            affected |= self._store_clusters(con, clusters, identities, now)
            affected -= {m.incident_id for c in clusters for m in c.merged}  # removed
        self._refresh(con, affected, now)
        return sorted(affected)

    def _open_incidents(
        self,
        con: duckdb.DuckDBPyConnection,
        fresh: Sequence[dict[str, Any]],
        identities: dict[str, AlertIdentity],
        window: timedelta,
    ) -> list[_Cluster]:
        """The open incidents that share a key with the alerts within the window."""
        keys = sorted({k for a in fresh for k in identities[a["id"]].keys})
        if not keys:
            return []
        rows = con.execute(
            "SELECT id, keys, first_seen, last_seen, status, assignee, created_at FROM incidents "
            "WHERE status IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
            "AND list_has_any(keys, CAST(? AS VARCHAR[])) AND last_seen >= ? AND first_seen <= ? "
            "ORDER BY created_at, id",
            [
                list(OPEN_STATUSES),
                keys,
                min(a["first_seen"] for a in fresh) - window,
                max(a["last_seen"] for a in fresh) + window,
            ],
        ).fetchall()
        return [
            _Cluster(i, set(k or ()), first, last, status, assignee, created)
            for i, k, first, last, status, assignee, created in rows
        ]

    @staticmethod
    def _assign(
        fresh: Sequence[dict[str, Any]],
        identities: dict[str, AlertIdentity],
        clusters: list[_Cluster],
        window: timedelta,
    ) -> None:
        """Put each alert, oldest first, in the cluster it shares a key with within the window
        (merging the clusters it bridges), or in a new cluster of its own."""
        for alert in fresh:
            keys = identities[alert["id"]].keys
            first, last = alert["first_seen"], alert["last_seen"]
            matching = [
                c
                for c in clusters
                if keys & c.keys and c.first - window <= last and first <= c.last + window
            ]
            if not matching:
                target = _Cluster(None, set(keys), first, last)
                clusters.append(target)
            else:
                # The oldest stored incident absorbs the rest; among new ones, the earliest.
                matching.sort(key=lambda c: (c.created_at is None, c.created_at or c.first))
                target = matching[0]
                for other in matching[1:]:
                    target.keys |= other.keys
                    target.first, target.last = (
                        min(target.first, other.first),
                        max(target.last, other.last),
                    )
                    target.alerts += other.alerts
                    target.merged += [other, *other.merged]
                    clusters.remove(other)
            target.alerts.append(alert["id"])
            target.keys |= keys
            target.first, target.last = min(target.first, first), max(target.last, last)

    @staticmethod
    def _store_clusters(
        con: duckdb.DuckDBPyConnection,
        clusters: list[_Cluster],
        identities: dict[str, AlertIdentity],
        now: datetime,
    ) -> set[str]:
        """Link the clusters' new alerts to their incidents, opening and merging incidents."""
        affected: set[str] = set()
        links: list[tuple[str, str, list[str], str | None, datetime]] = []
        for cluster in clusters:
            if not cluster.alerts and not cluster.merged:
                continue  # an open incident nothing joined
            incident_id = cluster.incident_id or _incident_id(cluster.alerts[0])
            if cluster.incident_id is None:
                con.execute(
                    "INSERT INTO incidents (id, title, severity, score, status, alert_count, "
                    "event_count, first_seen, last_seen, created_at, updated_at) "
                    "VALUES (?, '', 'informational', 0, 'new', 0, 0, ?, ?, ?, ?)",
                    [incident_id, cluster.first, cluster.last, now, now],
                )
            for other in cluster.merged:
                if other.incident_id is None:
                    continue  # a cluster of this run: its alerts are in ``cluster.alerts``
                _merge_incident(con, other, incident_id, now)
            for alert_id in cluster.alerts:
                identity = identities.get(alert_id)
                if identity is not None:
                    links.append((incident_id, alert_id, sorted(identity.keys), identity.root, now))
            affected.add(incident_id)
        if links:
            table = pa.table(
                {
                    "incident_id": [r[0] for r in links],
                    "alert_id": [r[1] for r in links],
                    "keys": pa.array([r[2] for r in links], pa.list_(pa.string())),
                    "root_identity": [r[3] for r in links],
                    "added_at": pa.array([r[4] for r in links], pa.timestamp("us", tz="UTC")),
                }
            )
            con.register("new_links", table)
            try:
                con.execute(
                    "INSERT INTO incident_alerts (incident_id, alert_id, keys, root_identity, "
                    "added_at) SELECT * FROM new_links"
                )
            finally:
                con.unregister("new_links")
        return affected

    @staticmethod
    def _refresh(con: duckdb.DuckDBPyConnection, incident_ids: set[str], now: datetime) -> None:
        """Recompute the figures of incidents from their alerts."""
        if not incident_ids:
            return
        rows = con.execute(
            "SELECT l.incident_id, min(a.first_seen), max(a.last_seen), count(*), sum(a.count), "
            "list(DISTINCT a.actor) FILTER (WHERE a.actor IS NOT NULL), "
            "list_distinct(flatten(list(l.keys))), "
            "list(DISTINCT a.account) FILTER (WHERE a.account IS NOT NULL), "
            "list_distinct(flatten(list(a.source_ips))), list(DISTINCT a.rule_id), "
            "list_distinct(flatten(list(a.tactics))), list_distinct(flatten(list(a.techniques))), "
            "list(a.severity ORDER BY a.first_seen, a.id), "
            "list(a.title ORDER BY a.first_seen, a.id), "
            "arg_min(l.root_identity, a.first_seen) FILTER (WHERE l.root_identity IS NOT NULL) "
            "FROM incident_alerts AS l JOIN alerts AS a ON a.id = l.alert_id "
            "WHERE l.incident_id IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY l.incident_id",
            [sorted(incident_ids)],
        ).fetchall()
        for (incident_id, first, last, alerts, events, principals, keys, accounts, ips, rules,
             tactics, techniques, severities, titles, root) in rows:  # fmt: skip
            # an aggregate over no value (a finding's alerts name no actor) is NULL, not []
            principals, keys, accounts, ips = (
                principals or [],
                keys or [],
                accounts or [],
                ips or [],
            )
            tactics, techniques = tactics or [], techniques or []
            severity, score = severity_and_score(severities, len(tactics))
            worst = max(
                range(len(severities)),
                key=lambda i: SEVERITIES.index(severities[i]) if severities[i] in SEVERITIES else 2,
            )
            more = f" (+{alerts - 1} more)" if alerts > 1 else ""
            title = f"{titles[worst]}{more} by {_short(root or (principals or [None])[0])}"
            access_keys = sorted(k.removeprefix("key:") for k in keys if k.startswith("key:"))
            con.execute(
                "UPDATE incidents SET title = ?, severity = ?, score = ?, root_identity = ?, "
                "principals = ?, access_keys = ?, accounts = ?, source_ips = ?, rule_ids = ?, "
                "tactics = ?, techniques = ?, alert_count = ?, event_count = ?, first_seen = ?, "
                "last_seen = ?, updated_at = ?, keys = ? WHERE id = ?",
                [title, severity, score, root, sorted(principals), access_keys, sorted(accounts),
                 sorted(ips), sorted(rules), sorted(tactics), sorted(techniques), alerts, events,
                 first, last, now, sorted(keys), incident_id],
            )  # fmt: skip

    # Catching up -------------------------------------------------------------------------
    def regroup(self, batch: int = 500) -> list[str]:
        """Group every stored alert that is in no incident yet (older data directories, or
        alerts recorded while grouping failed); returns the incidents changed."""
        columns = ", ".join(ALERTS.column_names)
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {columns} FROM alerts WHERE id NOT IN "
                "(SELECT alert_id FROM incident_alerts) ORDER BY first_seen, id"
            ).fetchall()
        alerts = [dict(zip(ALERTS.column_names, row, strict=True)) for row in rows]
        changed: set[str] = set()
        for start in range(0, len(alerts), batch):
            changed.update(self.group(alerts[start : start + batch]))
        return sorted(changed)


def _merge_incident(
    con: duckdb.DuckDBPyConnection, other: _Cluster, into: str, now: datetime
) -> None:
    """Move a stored incident's alerts and comments into another and remove it."""
    assert other.incident_id is not None
    con.execute(
        "UPDATE incident_alerts SET incident_id = ? WHERE incident_id = ?",
        [into, other.incident_id],
    )
    con.execute(
        "UPDATE incident_comments SET incident_id = ? WHERE incident_id = ?",
        [into, other.incident_id],
    )
    if other.status == "in_progress":
        con.execute("UPDATE incidents SET status = 'in_progress' WHERE id = ?", [into])
    if other.assignee:
        con.execute(
            "UPDATE incidents SET assignee = coalesce(assignee, ?) WHERE id = ?",
            [other.assignee, into],
        )
    con.execute("DELETE FROM incidents WHERE id = ?", [other.incident_id])
    con.execute(
        "INSERT INTO incident_comments VALUES (?, ?, ?, ?)",
        [into, now, "trailhound", f"merged {other.incident_id}: an alert links the two"],
    )
