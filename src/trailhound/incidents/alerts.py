"""The alert store in the state database: grouping, deduplication, signals, status, comments.

Matches of one rule with the same grouping key (``RuleInfo.group_by``: by default the principal,
the identity rather than its session, in its account) less than the rule's deduplication period
apart (``RuleInfo.suppression``, 60 minutes by default) are one alert. The alert's count, first
and last seen, its first 100 event IDs and the distinct source addresses, sessions and resources
grow as matches arrive; ``alert_events`` lists every event of every alert, so re-running a hunt
or overlapping windows never counts an event twice.

Matches of a **signal** rule (context rather than action) are stored in ``signals`` and raise no
alert; matches of a **threshold** rule are stored there too and raise an alert once ``threshold``
of them share a key within the period (with the earlier ones as its first events).

Grouping is set-based: the matches of one call (a batch, a hunt) are one Arrow table
(``detect.matches.MatchTable``) and a handful of SQL statements merge them into the stored alerts;
no Python runs per match. ``AlertStore.record`` is THE path from matches to alerts: every
detector's matches (on ingest, in hunts, retro-hunts), the ledger's findings and ingest's eventID
conflicts go through it, and it hands the alerts it created or grew to the configured outputs
(``incidents.outputs``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from trailhound.detect.grouping import KEY_SEPARATOR, MATCH_FIELDS, key_sql
from trailhound.detect.matches import MatchTable
from trailhound.errors import DetectError, TrailhoundError
from trailhound.incidents.suppressions import COUNT_SUPPRESSED, DROP_SUPPRESSED
from trailhound.model import Match, RuleInfo
from trailhound.store.state import StateDB
from trailhound.tables import ALERTS, SIGNALS

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir
    from trailhound.incidents.grouping import IncidentGrouper
    from trailhound.incidents.outputs.base import Output
    from trailhound.registry import Registry

logger = logging.getLogger(__name__)

STATUSES = ("new", "in_progress", "resolved", "false_positive")
ALERT_COLUMNS = ALERTS.column_names  # declared in trailhound.tables
SIGNAL_COLUMNS = SIGNALS.column_names
LIST_CAP = 100  # event IDs and distinct values kept on an alert; ``count`` keeps the total
_COLUMNS = ", ".join(f'"{c}"' for c in ALERT_COLUMNS)


HIDDEN_COLUMNS = frozenset({"dedup_key"})  # the store's bookkeeping, never shown outside


def public_alert(alert: Mapping[str, Any]) -> dict[str, Any]:
    """What an alert shows outside (the API, the console, ``--format json``): everything the
    store gave (its columns, its comment trail when read whole) but the bookkeeping."""
    return {k: v for k, v in alert.items() if k not in HIDDEN_COLUMNS}


def dedup_key(match: Match, group_by: Sequence[str] = ("principal", "account")) -> str:
    """Rule + grouping key, lower-cased: what matches share to be one alert (the SQL's rule)."""
    values = {
        "principal": match.principal or match.actor,
        "actor": match.actor,
        "session": match.session,
        "account": match.account,
        "region": match.region,
        "source_ip": match.source_ip,
        "resource": match.resource,
    }
    key = match.group
    if key is None:
        key = KEY_SEPARATOR.join(values[f] or "" for f in group_by if f in values)
    return KEY_SEPARATOR.join((match.rule_id, key.lower()))


def _rule_table(rules: Mapping[str, RuleInfo], rule_ids: Sequence[str]) -> pa.Table:
    """What the grouping statement reads of each rule, one row per rule ID matched."""
    missing = [r for r in rule_ids if r not in rules]
    if missing:
        raise DetectError(f"matches of unknown rules: {', '.join(sorted(missing)[:5])}")
    infos = [rules[r] for r in rule_ids]
    columns: dict[str, pa.Array] = {
        "rule_id": pa.array(rule_ids, pa.string()),
        "title": pa.array([i.title for i in infos], pa.string()),
        "severity": pa.array([i.severity for i in infos], pa.string()),
        "source": pa.array([i.source for i in infos], pa.string()),
        "tactics": pa.array([list(i.tactics) for i in infos], pa.list_(pa.string())),
        "techniques": pa.array([list(i.techniques) for i in infos], pa.list_(pa.string())),
        "period": pa.array([i.suppression for i in infos], pa.duration("us")),
        "threshold": pa.array([i.threshold for i in infos], pa.int64()),
        "signal": pa.array([i.signal for i in infos], pa.bool_()),
        "group_fields": pa.array([list(i.group_by) for i in infos], pa.list_(pa.string())),
    }
    for name in MATCH_FIELDS:
        columns[f"g_{name}"] = pa.array([name in i.group_by for i in infos], pa.bool_())
    return pa.table(columns)


# The statements of one recording, over ``new_matches`` (MatchTable) and ``rule_meta``. Only
# column and table names are formatted into them; every value is bound or comes from a table.
_FRESH = f"""
CREATE TEMP TABLE fresh AS
SELECT m.rule_id, m.event_id, CAST(m.event_time AS TIMESTAMPTZ) AS event_time, m.actor,
       m.account, m.region, m.source_ip, m.resource, m.principal, m.session,
       {key_sql()} AS group_key,
       m.rule_id || '{KEY_SEPARATOR}' || lower({key_sql()}) AS dedup_key,
       r.title, r.severity, r.signal, r.threshold, to_microseconds(epoch_us(r.period)) AS period
FROM new_matches AS m JOIN rule_meta AS r USING (rule_id)
WHERE m.event_id IS NOT NULL AND m.event_time IS NOT NULL
"""
# A (rule, event) pair met twice (an event stored twice, overlapping windows) is kept once; the
# window that does it costs more than the rest of the statement, so it runs only when needed.
_DEDUPE = "QUALIFY row_number() OVER (PARTITION BY m.rule_id, m.event_id ORDER BY m.event_time) = 1"
_HAS_REPEATS = """
SELECT count(*) FROM (SELECT rule_id, event_id FROM new_matches GROUP BY ALL HAVING count(*) > 1)
"""
_DROP_KNOWN = """
DELETE FROM fresh WHERE EXISTS (
    SELECT 1 FROM alert_events AS e WHERE e.rule_id = fresh.rule_id
    AND e.event_id = fresh.event_id AND e.event_time BETWEEN $low AND $high
) OR ((signal OR threshold > 1) AND EXISTS (
    SELECT 1 FROM signals AS s WHERE s.rule_id = fresh.rule_id
    AND s.event_id = fresh.event_id AND s.event_time BETWEEN $low AND $high
))
"""
_STORE_SIGNALS = """
INSERT INTO signals (rule_id, title, severity, event_id, event_time, principal, session, actor,
                     account, region, source_ip, resource, group_key, dedup_key, recorded_at)
SELECT rule_id, title, severity, event_id, event_time, coalesce(principal, actor), session,
       actor, account, region, source_ip, resource, group_key, dedup_key, $now
FROM fresh WHERE signal OR threshold > 1
"""
# Each alerting match joins the earliest stored alert of its key whose span, widened by the
# period, holds it.
_ASSIGN = """
CREATE TEMP TABLE assigned AS
SELECT f.*, a.id AS alert_id
FROM fresh AS f JOIN alerts AS a ON a.dedup_key = f.dedup_key
     AND f.event_time BETWEEN a.first_seen - f.period AND a.last_seen + f.period
WHERE NOT f.signal OR f.threshold > 1
QUALIFY row_number() OVER (PARTITION BY f.rule_id, f.event_id ORDER BY a.first_seen, a.id) = 1
"""
# The rest, with the pending matches of threshold rules stored before, split into runs of
# matches less than a period apart; runs that reach the threshold become new alerts.
_NEW_GROUPS = f"""
CREATE TEMP TABLE grouped AS
WITH rest AS (
    SELECT f.* FROM fresh AS f
    WHERE (NOT f.signal OR f.threshold > 1)
    AND NOT EXISTS (SELECT 1 FROM assigned AS a WHERE a.rule_id = f.rule_id
                    AND a.event_id = f.event_id)
), spans AS (
    SELECT dedup_key, min(event_time) - any_value(period) AS low,
           max(event_time) + any_value(period) AS high,
           any_value(f.rule_id) AS rule_id, any_value(f.title) AS title,
           any_value(f.severity) AS severity, any_value(f.signal) AS signal,
           any_value(f.threshold) AS threshold, any_value(f.period) AS period
    FROM rest AS f WHERE threshold > 1 GROUP BY dedup_key
), pending AS (
    SELECT s.rule_id, s.event_id, s.event_time, s.actor, s.account, s.region, s.source_ip,
           s.resource, s.principal, s.session, s.group_key, s.dedup_key, k.title, k.severity,
           k.signal, k.threshold, k.period
    FROM signals AS s JOIN spans AS k ON s.dedup_key = k.dedup_key
         AND s.event_time BETWEEN k.low AND k.high
    WHERE NOT EXISTS (SELECT 1 FROM alert_events AS e WHERE e.rule_id = s.rule_id
                      AND e.event_id = s.event_id)
    AND NOT EXISTS (SELECT 1 FROM rest AS r WHERE r.rule_id = s.rule_id
                    AND r.event_id = s.event_id)
), pool AS (
    SELECT * FROM rest UNION ALL BY NAME SELECT * FROM pending
), starts AS (
    SELECT *, CASE WHEN event_time - lag(event_time) OVER w <= period THEN 0 ELSE 1 END AS new
    FROM pool WINDOW w AS (PARTITION BY dedup_key ORDER BY event_time, event_id)
), runs AS (
    SELECT *, sum(new) OVER (PARTITION BY dedup_key ORDER BY event_time, event_id
                             ROWS UNBOUNDED PRECEDING) AS run
    FROM starts
)
SELECT *, 'al-' || left(sha1(dedup_key || '{KEY_SEPARATOR}' ||
       first_value(event_id) OVER (PARTITION BY dedup_key, run ORDER BY event_time, event_id)),
       16) AS alert_id,
       count(*) OVER (PARTITION BY dedup_key, run) AS size
FROM runs QUALIFY size >= threshold
"""
_INSERT_ALERTS = f"""
INSERT INTO alerts ({_COLUMNS})
SELECT g.alert_id, any_value(g.rule_id), any_value(r.title), any_value(r.severity),
       any_value(r.source), 'new', any_value(r.tactics), any_value(r.techniques),
       arg_min(g.actor, (g.event_time, g.event_id)), arg_min(g.account, (g.event_time, g.event_id)),
       arg_min(g.region, (g.event_time, g.event_id)),
       list_sort(list_distinct(list(g.source_ip)))[1:{LIST_CAP}],
       min(g.event_time), max(g.event_time), count(*),
       list(g.event_id ORDER BY g.event_time, g.event_id)[1:{LIST_CAP}], $now, $now,
       arg_min(g.resource, (g.event_time, g.event_id)), any_value(g.dedup_key),
       arg_min(coalesce(g.principal, g.actor), (g.event_time, g.event_id)),
       list_sort(list_distinct(list(g.session)))[1:{LIST_CAP}],
       list_sort(list_distinct(list(g.resource)))[1:{LIST_CAP}],
       any_value(r.group_fields),
       string_split(arg_min(g.group_key, (g.event_time, g.event_id)), '{KEY_SEPARATOR}'),
       NULL  -- explanation: the detector that has one adds it (Detection.raise_matches)
FROM grouped AS g JOIN rule_meta AS r USING (rule_id)
GROUP BY g.alert_id
ON CONFLICT (id) DO NOTHING
"""
_GROW_ALERTS = f"""
UPDATE alerts AS a SET
    count = a.count + n.added,
    first_seen = least(a.first_seen, n.first_seen),
    last_seen = greatest(a.last_seen, n.last_seen),
    event_ids = (a.event_ids || n.event_ids)[1:{LIST_CAP}],
    source_ips = list_sort(list_distinct(a.source_ips || n.source_ips))[1:{LIST_CAP}],
    sessions = list_sort(list_distinct(coalesce(a.sessions, []) || n.sessions))[1:{LIST_CAP}],
    resources = list_sort(list_distinct(coalesce(a.resources, []) || n.resources))[1:{LIST_CAP}],
    updated_at = $now
FROM (
    SELECT alert_id, count(*) AS added, min(event_time) AS first_seen,
           max(event_time) AS last_seen,
           list(event_id ORDER BY event_time, event_id)[1:{LIST_CAP}] AS event_ids,
           list_distinct(list(source_ip)) AS source_ips,
           list_distinct(list(session)) AS sessions, list_distinct(list(resource)) AS resources
    FROM assigned GROUP BY alert_id
) AS n
WHERE a.id = n.alert_id
"""
_LIST_EVENTS = """
INSERT INTO alert_events
SELECT alert_id, rule_id, event_id, event_time FROM assigned
UNION ALL SELECT alert_id, rule_id, event_id, event_time FROM grouped
"""
# Every alert the recorded matches belong to, stored before or not.
_TOUCHED = f"""
SELECT {_COLUMNS} FROM alerts WHERE id IN (
    SELECT e.alert_id FROM alert_events AS e JOIN new_matches AS m
    ON e.rule_id = m.rule_id AND e.event_id = m.event_id
    WHERE e.event_time BETWEEN $low AND $high
) ORDER BY first_seen, id
"""


@dataclass(frozen=True, slots=True)
class AlertChanges:
    """What recording matches did: alerts created or grown (``changed``), and every alert the
    matches belong to, stored before or not (``touched``), both in first-seen order;
    ``signals`` counts the matches stored as signals."""

    changed: list[dict[str, Any]] = field(default_factory=list)
    touched: list[dict[str, Any]] = field(default_factory=list)
    created: frozenset[str] = frozenset()  # IDs of the alerts that are new
    signals: int = 0


def _rows(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Mapping[str, object] | Sequence[object] = (),
) -> list[dict[str, Any]]:
    """A query's rows as column → value mappings (built per alert, never per match)."""
    bound = dict(params) if isinstance(params, Mapping) else list(params)
    table: pa.Table = con.sql(sql, params=bound or None).to_arrow_table()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


class AlertStore:
    """The alerts of one state database, and the outputs new and grown alerts go to."""

    def __init__(
        self,
        state: StateDB,
        outputs: Sequence[Output] = (),
        incidents: IncidentGrouper | None = None,
    ) -> None:
        self.state = state
        self.outputs = list(outputs)
        self.incidents = incidents  # groups the alerts recorded into incidents

    @classmethod
    def for_data_dir(
        cls, data_dir: DataDir, outputs: Registry[type[Output]] | None = None
    ) -> AlertStore:
        """The data directory's alerts, sent to the outputs its settings configure (found in
        ``outputs``, the registry of every installed output by default)."""
        from trailhound.incidents.grouping import IncidentGrouper
        from trailhound.incidents.outputs.base import OUTPUTS, configured_outputs

        state = StateDB(data_dir.state_db)
        outputs_ = configured_outputs(data_dir, state, outputs or OUTPUTS)
        return cls(state, outputs_, IncidentGrouper.for_data_dir(data_dir))

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
        """Turn matches into new or grown alerts (and signals), and send those to the outputs.

        ``matches`` may be any sequence; a ``MatchTable`` goes to SQL as it is.
        """
        if not len(matches):
            return AlertChanges()
        table = MatchTable.of(matches).table
        rule_ids = [str(r) for r in pc.unique(table["rule_id"]).to_pylist()]
        times = pc.min_max(table["event_time"])
        now = datetime.now(UTC)
        bounds = {"low": times["min"].as_py(), "high": times["max"].as_py(), "now": now}
        with self.state.connect() as con:
            con.register("new_matches", table)
            con.register("rule_meta", _rule_table(rules, rule_ids))
            try:
                con.execute("BEGIN")
                repeats = con.execute(_HAS_REPEATS).fetchone()
                con.execute(_FRESH + (_DEDUPE if repeats and repeats[0] else ""))
                # Matches analysts suppressed (a rule and a field's value) never alert.
                con.execute(COUNT_SUPPRESSED, {"now": now})
                con.execute(DROP_SUPPRESSED, {"now": now})
                con.execute(_DROP_KNOWN, {"low": bounds["low"], "high": bounds["high"]})
                signals = con.execute(_STORE_SIGNALS, {"now": now}).fetchone()
                con.execute(_ASSIGN)
                con.execute(_NEW_GROUPS)
                con.execute(_INSERT_ALERTS, {"now": now})
                con.execute(_GROW_ALERTS, {"now": now})
                con.execute(_LIST_EVENTS)
                created = {
                    r for (r,) in con.execute("SELECT DISTINCT alert_id FROM grouped").fetchall()
                }
                grown = {
                    r for (r,) in con.execute("SELECT DISTINCT alert_id FROM assigned").fetchall()
                }
                touched = _rows(con, _TOUCHED, {"low": bounds["low"], "high": bounds["high"]})
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                for name in ("fresh", "assigned", "grouped"):
                    con.execute(f"DROP TABLE IF EXISTS {name}")
                con.unregister("new_matches")
                con.unregister("rule_meta")
        changed_ids = created | grown
        result = AlertChanges(
            changed=[a for a in touched if a["id"] in changed_ids],
            touched=touched,
            created=frozenset(created),
            signals=int(signals[0]) if signals else 0,
        )
        self._send(result.changed)
        if self.incidents is not None:
            self.incidents.group_safely(result.changed)
        return result

    @staticmethod
    def _filters(
        status: str | None, rule_id: str | None, severity: str | None, principal: str | None
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (
            ("status", status),
            ("rule_id", rule_id),
            ("severity", severity),
            ("principal", principal),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")  # a fixed column name; the value is bound
                params.append(value)
        return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), params

    def list_alerts(
        self,
        *,
        status: str | None = None,
        rule_id: str | None = None,
        severity: str | None = None,
        principal: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """One page of alerts, newest activity first, optionally filtered."""
        where, params = self._filters(status, rule_id, severity, principal)
        with self.state.connect() as con:
            return _rows(
                con,
                f"SELECT {_COLUMNS} FROM alerts {where} ORDER BY last_seen DESC, id "
                f"LIMIT {max(0, int(limit))} OFFSET {max(0, int(offset))}",
                params,
            )

    def count_alerts(
        self,
        *,
        status: str | None = None,
        rule_id: str | None = None,
        severity: str | None = None,
        principal: str | None = None,
    ) -> int:
        """How many alerts the same filters select, every page together."""
        where, params = self._filters(status, rule_id, severity, principal)
        with self.state.connect() as con:
            row = con.execute(f"SELECT count(*) FROM alerts {where}", params).fetchone()
        return int(row[0]) if row else 0

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

    def last_fired(self) -> dict[str, datetime]:
        """When each rule last matched (its alerts' newest activity), per rule ID."""
        with self.state.connect() as con:
            rows = con.execute("SELECT rule_id, max(last_seen) FROM alerts GROUP BY rule_id")
            return {str(rule): when for rule, when in rows.fetchall() if when is not None}

    def fired_rules(self) -> dict[str, int]:
        """Alert count per rule ID."""
        with self.state.connect() as con:
            return dict(
                con.execute("SELECT rule_id, count(*) FROM alerts GROUP BY rule_id").fetchall()
            )

    def signal_counts(self) -> dict[str, int]:
        """Signals per rule ID: a rolled-up signal rule's every match (``signal_rollups``, the
        bounded signal policy of ``detect.signal_rollups``), other rules' stored rows."""
        with self.state.connect() as con:
            return dict(
                con.execute(
                    "SELECT rule_id, CAST(sum(count) AS BIGINT) FROM signal_rollups GROUP BY ALL "
                    "UNION ALL SELECT rule_id, count(*) FROM signals WHERE rule_id NOT IN "
                    "(SELECT rule_id FROM signal_rollups) GROUP BY ALL"
                ).fetchall()
            )

    def alerts_for_events(self, event_ids: Iterable[str]) -> dict[str, list[str]]:
        """``event_id → rule IDs`` of the alerts that hold each event."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT event_id, list(DISTINCT rule_id ORDER BY rule_id) FROM alert_events "
                "WHERE event_id IN (SELECT unnest(CAST(? AS VARCHAR[]))) GROUP BY event_id",
                [list(event_ids)],
            ).fetchall()
        return {e: list(r) for e, r in rows}
