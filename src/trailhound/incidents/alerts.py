"""The alert store in the state database: grouping, suppression, status and comments.

Matches of one rule about the same actor and main resource that fall within the rule's
suppression window (default one day) of each other become one alert; an alert only grows by
event IDs it does not hold yet, so re-running a hunt or overlapping windows never duplicates.

``AlertStore.record`` is THE path from matches to alerts: every detector's matches (on ingest,
in hunts, retro-hunts), the ledger's findings and ingest's eventID conflicts go through it, and
it hands the alerts it created or grew to the configured outputs (``incidents.outputs``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from trailhound.errors import DetectError, TrailhoundError
from trailhound.model import Match, RuleInfo
from trailhound.store.state import StateDB
from trailhound.tables import ALERTS

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir
    from trailhound.incidents.outputs.base import Output
    from trailhound.registry import Registry

logger = logging.getLogger(__name__)

STATUSES = ("new", "in_progress", "resolved", "false_positive")
ALERT_COLUMNS = ALERTS.column_names  # declared in trailhound.tables


def dedup_key(match: Match) -> str:
    """Rule + actor + main resource, the suppression key."""
    return "\x1f".join((match.rule_id, (match.actor or "").lower(), (match.resource or "").lower()))


def _alert_id(key: str, first_event: str) -> str:
    return "al-" + hashlib.sha1(f"{key}\x1f{first_event}".encode()).hexdigest()[:16]


def _merge(alert: dict[str, Any], match: Match) -> bool:
    """Add a match to an alert; False if the alert already held its event."""
    seen: set[str] = alert.setdefault("_seen", set(alert["event_ids"]))
    if match.event_id in seen:
        return False
    seen.add(match.event_id)
    alert["event_ids"].append(match.event_id)
    alert["count"] = len(alert["event_ids"])
    alert["first_seen"] = min(alert["first_seen"], match.event_time)
    alert["last_seen"] = max(alert["last_seen"], match.event_time)
    if match.source_ip and match.source_ip not in alert["source_ips"]:
        alert["source_ips"].append(match.source_ip)
    return True


_ARROW_TYPES: dict[str, pa.DataType] = {
    "tactics": pa.list_(pa.string()),
    "techniques": pa.list_(pa.string()),
    "source_ips": pa.list_(pa.string()),
    "event_ids": pa.list_(pa.string()),
    "first_seen": pa.timestamp("us", tz="UTC"),
    "last_seen": pa.timestamp("us", tz="UTC"),
    "created_at": pa.timestamp("us", tz="UTC"),
    "updated_at": pa.timestamp("us", tz="UTC"),
    "count": pa.int64(),
}


def _upsert(con: duckdb.DuckDBPyConnection, alerts: list[dict[str, Any]]) -> None:
    """Write alerts in one statement (DuckDB's executemany runs row by row)."""
    table = pa.table(
        {
            c: pa.array([a[c] for a in alerts], _ARROW_TYPES.get(c, pa.string()))
            for c in ALERT_COLUMNS
        }
    )
    con.register("changed_alerts", table)
    try:
        con.execute("BEGIN")
        con.execute("DELETE FROM alerts WHERE id IN (SELECT id FROM changed_alerts)")
        con.execute(
            f"INSERT INTO alerts ({', '.join(ALERT_COLUMNS)}) "
            f"SELECT {', '.join(ALERT_COLUMNS)} FROM changed_alerts"
        )
        con.execute("COMMIT")
    finally:
        con.unregister("changed_alerts")


@dataclass(frozen=True, slots=True)
class AlertChanges:
    """What recording matches did: alerts created or grown (``changed``), and every alert the
    matches belong to, stored before or not (``touched``), both in first-seen order."""

    changed: list[dict[str, Any]] = field(default_factory=list)
    touched: list[dict[str, Any]] = field(default_factory=list)
    created: frozenset[str] = frozenset()  # IDs of the alerts that are new


class AlertStore:
    """The alerts of one state database, and the outputs new and grown alerts go to."""

    def __init__(self, state: StateDB, outputs: Sequence[Output] = ()) -> None:
        self.state = state
        self.outputs = list(outputs)

    @classmethod
    def for_data_dir(
        cls, data_dir: DataDir, outputs: Registry[type[Output]] | None = None
    ) -> AlertStore:
        """The data directory's alerts, sent to the outputs its settings configure (found in
        ``outputs``, the registry of every installed output by default)."""
        from trailhound.incidents.outputs.base import OUTPUTS, configured_outputs

        state = StateDB(data_dir.state_db)
        return cls(state, configured_outputs(data_dir, state, outputs or OUTPUTS))

    def _send(self, alerts: list[dict[str, Any]]) -> None:
        """Hand alerts to every output; one failing output neither stops the others nor loses
        the alerts, which are stored already."""
        if not alerts:
            return
        for output in self.outputs:
            try:
                output.send(alerts)
            except (OSError, TrailhoundError) as error:
                logger.warning("alert output %s failed: %s", output.name, error)
            except Exception as error:  # a plug-in's bug must not stop ingest or a hunt
                logger.warning("alert output %s failed: %r", output.name, error, exc_info=True)

    def record(self, matches: Sequence[Match], rules: Mapping[str, RuleInfo]) -> AlertChanges:
        """Turn matches into new or grown alerts, and send those to the outputs."""
        if not matches:
            return AlertChanges()
        now = datetime.now(UTC)
        by_key: dict[str, list[Match]] = {}
        for match in sorted(matches, key=lambda m: (m.event_time, m.event_id)):
            by_key.setdefault(dedup_key(match), []).append(match)
        changed: dict[str, dict[str, Any]] = {}
        touched: dict[str, dict[str, Any]] = {}
        created: set[str] = set()
        with self.state.connect() as con:
            existing: dict[str, list[dict[str, Any]]] = {}
            cursor = con.execute(
                f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts WHERE dedup_key IN "
                "(SELECT unnest(CAST(? AS VARCHAR[])))",
                [list(by_key)],
            )
            for row in cursor.fetchall():
                alert = dict(zip(ALERT_COLUMNS, row, strict=True))
                existing.setdefault(alert["dedup_key"], []).append(alert)
            for key, group in by_key.items():
                info = rules[group[0].rule_id]
                window = info.suppression
                alerts = existing.setdefault(key, [])
                for match in group:
                    target = next(
                        (
                            a
                            for a in alerts
                            if match.event_id in a.setdefault("_seen", set(a["event_ids"]))
                            or a["first_seen"] - window
                            <= match.event_time
                            <= a["last_seen"] + window
                        ),
                        None,
                    )
                    if target is None:
                        target = {
                            "id": _alert_id(key, match.event_id),
                            "rule_id": match.rule_id,
                            "title": info.title,
                            "severity": info.severity,
                            "source": info.source,
                            "status": "new",
                            "tactics": list(info.tactics),
                            "techniques": list(info.techniques),
                            "actor": match.actor,
                            "account": match.account,
                            "region": match.region,
                            "source_ips": [match.source_ip] if match.source_ip else [],
                            "first_seen": match.event_time,
                            "last_seen": match.event_time,
                            "count": 1,
                            "event_ids": [match.event_id],
                            "created_at": now,
                            "updated_at": now,
                            "resource": match.resource,
                            "dedup_key": key,
                        }
                        alerts.append(target)
                        changed[target["id"]] = target
                        created.add(target["id"])
                    elif _merge(target, match):
                        target["updated_at"] = now
                        changed[target["id"]] = target
                    touched[target["id"]] = target
            if changed:
                _upsert(con, list(changed.values()))
        for alert in touched.values():
            alert.pop("_seen", None)
        order = sorted(touched.values(), key=lambda a: (a["first_seen"], a["id"]))
        result = AlertChanges(
            changed=[a for a in order if a["id"] in changed],
            touched=order,
            created=frozenset(created),
        )
        self._send(result.changed)
        return result

    def list_alerts(
        self,
        *,
        status: str | None = None,
        rule_id: str | None = None,
        severity: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Alerts, newest activity first, optionally filtered."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("status", status), ("rule_id", rule_id), ("severity", severity)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts {where} "
                "ORDER BY last_seen DESC, id LIMIT ?",
                [*params, limit],
            ).fetchall()
        return [dict(zip(ALERT_COLUMNS, row, strict=True)) for row in rows]

    def get(self, alert_id: str) -> dict[str, Any]:
        """One alert with its comment trail; a unique ID prefix is enough."""
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts WHERE id LIKE ?",
                [alert_id.replace("%", "") + "%"],
            ).fetchall()
            if len(rows) != 1:
                raise DetectError(
                    f"no alert {alert_id!r}" if not rows else f"alert ID {alert_id!r} is ambiguous"
                )
            alert = dict(zip(ALERT_COLUMNS, rows[0], strict=True))
            comments = con.execute(
                "SELECT commented_at, author, text FROM alert_comments WHERE alert_id = ? "
                "ORDER BY commented_at",
                [alert["id"]],
            ).fetchall()
        alert["comments"] = [
            {"at": at, "author": author, "text": text} for at, author, text in comments
        ]
        return alert

    def update(
        self,
        alert_id: str,
        *,
        status: str | None = None,
        comment: str | None = None,
        author: str = "analyst",
    ) -> dict[str, Any]:
        """Change an alert's status and/or add a comment; returns the alert."""
        if status is not None and status not in STATUSES:
            raise DetectError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
        alert = self.get(alert_id)
        now = datetime.now(UTC)
        with self.state.connect() as con:
            if status is not None:
                con.execute(
                    "UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?",
                    [status, now, alert["id"]],
                )
                note = f"status {alert['status']} → {status}"
                con.execute(
                    "INSERT INTO alert_comments VALUES (?, ?, ?, ?)",
                    [alert["id"], now, author, note],
                )
            if comment:
                con.execute(
                    "INSERT INTO alert_comments VALUES (?, ?, ?, ?)",
                    [alert["id"], now, author, comment],
                )
        return self.get(alert["id"])

    def fired_rules(self) -> dict[str, int]:
        """Alert count per rule ID."""
        with self.state.connect() as con:
            return dict(
                con.execute("SELECT rule_id, count(*) FROM alerts GROUP BY rule_id").fetchall()
            )

    def alerts_for_events(self, event_ids: Iterable[str]) -> dict[str, list[str]]:
        """``event_id → rule IDs`` of the alerts that name each event."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT e, list(DISTINCT rule_id) FROM (SELECT unnest(event_ids) AS e, rule_id "
                "FROM alerts) WHERE e IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY e",
                [list(event_ids)],
            ).fetchall()
        return {e: list(r) for e, r in rows}
