"""The analytics detectors as one :class:`~trailhound.detect.base.Detector` (``analytics``).

On each committed batch (``on_batch``), in this order:

1. the event detectors (``catalog.EVENT_SQL``) run over the batch's events on the ingest's
   connection;
2. the batch is aggregated per subject, facet and value (``profiles.facts_sql``), and that
   aggregate, in the state database, is compared with the stored profiles: a value the subject
   never had, once the subject is past its training, is a finding of the profile detector that
   watches that facet;
3. the aggregate is merged into the profiles, so the next batch sees it as known.

Findings become :class:`~trailhound.model.Match` es (the detection layer hands them to the alert
store like any rule's), and their explanations go to ``analytics_findings``.

A subject is watched from its first event, the batch's own included: a backfill that holds an
identity's whole month in one batch still finds what was new on its last day.

A hunt (``hunt``) runs the event detectors over the lake's events of its window, and the
profile detectors against the persisted profiles: a value whose first event falls in the window
(each profile value and each hour keeps its first event's ID) is reported as the batch would
have, with what the profile held before it as the baseline, so nothing the baseline already
contained raises an alert. Unusual hours are the window's hours of ``analytics_volume`` against
the hours before them; impossible travel reads the window's logins (and the day before it) from
the lake. The profiles are those ``analytics train`` or the ingest of every batch built: a lake
ingested without analytics needs ``trailhound analytics train`` first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb
import pyarrow as pa

from trailhound.analytics.catalog import ANALYTICS, BY_ID, EVENT_SQL
from trailhound.analytics.framework import PREFIX, SOURCE, TRAINING_SETTING, Analytic
from trailhound.analytics.profiles import HUMAN_SQL, facts_sql, merge, volume_sql
from trailhound.analytics.travel import BATCH_LOGINS, LOGINS, impossible_journeys
from trailhound.analytics.volume import FLOOR, unusual_hours
from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchContext, DetectorContext
from trailhound.durations import DurationError, parse_duration
from trailhound.intel.versions import intel_changes_since
from trailhound.model import Match, RuleInfo
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    from trailhound.store.base import Backend

log = logging.getLogger(__name__)
TOOLS = "attack_tool_user_agent"
# The detectors whose answer a replaced intel list changes, and the state setting holding when
# the last retro-hunt looked for replaced lists.
RETRO_HUNTED = ("tor_api_call", "instance_credentials_outside_aws")
MARKER = "analytics-intel-retro-hunted"
_ACCOUNTS = "SELECT DISTINCT account FROM cloudtrail"
TRAVEL = "impossible_travel"
WINDOW = timedelta(days=30)  # the hourly history a volume baseline reads at most
# The volume detectors: the hourly counts each reads (``profiles.VOLUME_SCOPES``), the
# variation each raises (None: the detector's own) and what the counts count.
VOLUME_SCOPES_OF: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "unusual_volume": (("actor", None, "events"), ("actor_data", "data_events", "data events")),
    "endpoint_volume": (("vpce", None, "calls through the endpoint"),),
}
_HISTORY_SINCE = (
    "SELECT min(first_seen) FROM analytics_profiles WHERE scope = 'account' AND facet = 'any'"
)
ORG_ACCOUNTS = "org-accounts"  # the setting the rules read too
Finding = tuple[Match, str]  # a match and its explanation

# The profile facts of a batch that are new to their subject, with what the profile knew. The
# subject is watched since its first event, in the profile or in the batch.
_NEW_VALUES = """
WITH watched AS (
  SELECT scope, subject, min(first_seen) AS first_seen FROM (
    SELECT scope, subject, first_seen FROM batch_facts WHERE facet = 'any'
    UNION ALL
    SELECT scope, subject, first_seen FROM analytics_profiles
    WHERE facet = 'any' AND subject IN (SELECT subject FROM batch_facts WHERE facet = 'any')
  ) GROUP BY ALL
)
SELECT f.scope, f.facet, f.subject, f.value, f.first_seen, f.event_id,
       s.first_seen AS watched_since, coalesce(k.known, 0) AS known, o.since AS history_since,
       coalesce(sv.known, 0) AS known_in_service
FROM batch_facts AS f
JOIN watched AS s ON s.scope = f.scope AND s.subject = f.subject
LEFT JOIN analytics_profiles AS p
  ON p.scope = f.scope AND p.subject = f.subject AND p.facet = f.facet AND p.value = f.value
LEFT JOIN (
  SELECT scope, subject, facet, count(*) AS known FROM analytics_profiles
  WHERE subject IN (SELECT subject FROM batch_facts) GROUP BY ALL
) AS k ON k.scope = f.scope AND k.subject = f.subject AND k.facet = f.facet
LEFT JOIN (
  SELECT scope, subject, split_part(value, ':', 1) AS service, count(*) AS known
  FROM analytics_profiles WHERE facet = 'api' AND subject IN (SELECT subject FROM batch_facts)
  GROUP BY ALL
) AS sv ON f.facet = 'api' AND sv.scope = f.scope AND sv.subject = f.subject
  AND sv.service = split_part(f.value, ':', 1)
CROSS JOIN (
  SELECT min(first_seen) AS since FROM (
    SELECT first_seen FROM analytics_profiles WHERE scope = 'account' AND facet = 'any'
    UNION ALL SELECT first_seen FROM batch_facts WHERE scope = 'account' AND facet = 'any'
  )
) AS o
WHERE p.value IS NULL AND list_contains(?, f.scope || '/' || f.facet)
  AND s.first_seen <= f.first_seen - to_seconds(?)
"""

# The persisted profile values first seen since a time (a hunt's window), with what their
# subject's profile held before each: the same columns as ``_NEW_VALUES``.
_HUNT_NEW_VALUES = """
WITH candidates AS (
  SELECT f.scope, f.facet, f.subject, f.value, f.first_seen, f.event_id,
         s.first_seen AS watched_since
  FROM analytics_profiles AS f
  JOIN analytics_profiles AS s
    ON s.scope = f.scope AND s.subject = f.subject AND s.facet = 'any' AND s.value = ''
  WHERE f.first_seen >= $since AND f.event_id IS NOT NULL
    AND list_contains($wanted, f.scope || '/' || f.facet)
    AND s.first_seen <= f.first_seen - to_seconds($shortest)
), before AS (
  SELECT c.scope, c.subject, c.facet, c.value, count(p.value) AS known,
         count(p.value) FILTER (WHERE c.facet = 'api'
           AND split_part(p.value, ':', 1) = split_part(c.value, ':', 1)) AS known_in_service
  FROM candidates AS c LEFT JOIN analytics_profiles AS p
    ON p.scope = c.scope AND p.subject = c.subject AND p.facet = c.facet
   AND p.first_seen < c.first_seen
  GROUP BY ALL
)
SELECT c.scope, c.facet, c.subject, c.value, c.first_seen, c.event_id, c.watched_since,
       b.known, o.since, b.known_in_service
FROM candidates AS c JOIN before AS b USING (scope, subject, facet, value)
CROSS JOIN (
  SELECT min(first_seen) AS since FROM analytics_profiles WHERE scope = 'account' AND facet = 'any'
) AS o
ORDER BY c.first_seen, c.scope, c.subject, c.facet, c.value
"""
# A hunt's hours: the window's hours of the persisted volume, each tested against the hours
# before it (``volume.unusual_hours`` reads them as a batch's, none of it counted before); only
# those over the floor every unusual hour is above, so a month's hunt joins few hours.
_HUNT_HOURS = (
    "SELECT scope, subject, hour, events, denied, event_id, first_time FROM analytics_volume "
    "WHERE hour >= date_trunc('hour', $since) AND event_id IS NOT NULL AND events > $floor"
)
_TRAVEL_LOOK_BACK = timedelta(days=1)  # a hunt's first login's previous one: a day before it

# An alert's explanation: its first event's finding (alert_events lists every event it holds).
_EXPLAIN_ALERTS = """
UPDATE alerts SET explanation = x.why FROM (
    SELECT e.alert_id, arg_min(f.explanation, (e.event_time, e.event_id)) AS why
    FROM alert_events AS e JOIN analytics_findings AS f USING (rule_id, event_id)
    WHERE list_contains(?, e.alert_id) GROUP BY e.alert_id
) AS x
WHERE alerts.id = x.alert_id AND alerts.explanation IS NULL
RETURNING alerts.id, alerts.explanation
"""


def _explain_new_value(
    scope: str, facet: str, subject: str, value: str, age: timedelta, known: int, same: int
) -> str:
    """Why a value is unusual: what it is, and what the subject's baseline held instead."""
    who = subject if scope == "actor" else f"{scope} {subject}"
    baseline = f"its baseline of {age.days} days has {known}"
    if facet == "api":
        service, _, api = value.partition(":")
        short = service.removesuffix(".amazonaws.com")
        within = "none" if not same else str(same)
        return (
            f"{who} called {api} for the first time; {baseline} distinct "
            f"API{'' if known == 1 else 's'}, {within} in {short}"
        )
    name = facet.replace("_", " ")
    return (
        f"{who}: {name} {value} for the first time; {baseline} other {name} "
        f"value{'' if known == 1 else 's'}"
    )


def _severity_variation(analytic: Analytic, human: bool | None) -> str | None:
    """The non-human variation where the detector has one and the identity is a machine's."""
    has = any(v.name == "non_human" for v in analytic.variations)
    return "non_human" if has and human is False else None


class AnalyticsDetector:
    """Every analytics detector of ``catalog``: profiles on each batch, findings as matches."""

    name: ClassVar[str] = "analytics"

    def __init__(self, context: DetectorContext, analytics: Sequence[Analytic] = ANALYTICS) -> None:
        self.context = context
        self.data_dir = context.data_dir
        self.state = StateDB(context.data_dir.state_db)
        self.analytics = tuple(analytics)
        self.event_analytics = [a for a in self.analytics if a.name in EVENT_SQL]
        self.profile_analytics = [a for a in self.analytics if a.facet is not None]
        self.volume_analytics = [a for a in self.analytics if a.name in VOLUME_SCOPES_OF]
        self.travel = next((a for a in self.analytics if a.name == TRAVEL), None)
        self._infos: dict[str, RuleInfo] = {}
        for analytic in self.analytics:
            self._infos.update(analytic.infos())

    def infos(self) -> Mapping[str, RuleInfo]:
        """Each detector's and each variation's alert fields, by rule ID."""
        return self._infos

    # Settings (read once per batch, on the batch's state connection) ------------------------
    @staticmethod
    def _settings(state: duckdb.DuckDBPyConnection) -> dict[str, str]:
        rows = state.execute(
            "SELECT key, value FROM settings WHERE key IN (?, ?)", [TRAINING_SETTING, ORG_ACCOUNTS]
        ).fetchall()
        return {str(k): str(v) for k, v in rows}

    @staticmethod
    def _training_override(settings: Mapping[str, str]) -> timedelta | None:
        text = settings.get(TRAINING_SETTING, "")
        if not text.strip():
            return None
        try:
            return parse_duration(text)
        except DurationError as error:
            log.warning("setting %s = %r ignored: %s", TRAINING_SETTING, text, error.message)
            return None

    @staticmethod
    def _org_accounts(
        state: duckdb.DuckDBPyConnection, settings: Mapping[str, str], seen: Sequence[str]
    ) -> list[str]:
        """The setting, else every account profiled or in the batch (the lake's accounts)."""
        text = settings.get(ORG_ACCOUNTS, "")
        if text.strip():
            return sorted({a.strip() for a in text.split(",") if a.strip()})
        profiled = state.execute(
            "SELECT subject FROM analytics_profiles WHERE scope = 'account' AND facet = 'any'"
        ).fetchall()
        return sorted({str(a) for (a,) in profiled} | set(seen))

    # Event detectors -----------------------------------------------------------------------
    def _event_findings(
        self,
        con: duckdb.DuckDBPyConnection,
        relation: str,
        where: str,
        params: dict[str, object],
        org: list[str],
        only: set[str] | None = None,
    ) -> list[Finding]:
        findings: list[Finding] = []
        for analytic in self.event_analytics:
            if only is not None and analytic.rule_id not in only:
                continue
            sql = EVENT_SQL[analytic.name].format(
                relation=relation, where=where, org="$org", threshold=analytic.threshold
            )
            bound = {k: v for k, v in params.items() if f"${k}" in sql}
            if "$org" in sql:
                bound["org"] = org
            for row in con.execute(sql, bound).fetchall():
                variation, event_id, when, actor, account, region, ip, resource, why = row
                rule_id = analytic.variation_id(variation)
                match = Match(rule_id, event_id, when, actor, account, region, ip, resource)
                findings.append((match, why))
        return findings

    # Profile detectors ---------------------------------------------------------------------
    def _profile_findings(
        self,
        state: duckdb.DuckDBPyConnection,
        override: timedelta | None,
        events: tuple[duckdb.DuckDBPyConnection, str],
        hunt_since: datetime | None = None,
        only: set[str] | None = None,
    ) -> list[Finding]:
        """The never-seen values: a batch's (``batch_facts`` registered on ``state``), or in a
        hunt the profile values first seen since ``hunt_since``. ``events``: the connection and
        relation to read the findings' first events from (the batch, or the lake)."""
        wanted = {
            f"{a.scope}/{a.facet}": a
            for a in self.profile_analytics
            if only is None or any(r in only for r in a.infos())
        }
        if not wanted:
            return []
        shortest = min(a.trained(override)[0] for a in wanted.values())
        if hunt_since is None:
            rows = state.execute(_NEW_VALUES, [list(wanted), shortest.total_seconds()]).fetchall()
        else:
            rows = state.execute(
                _HUNT_NEW_VALUES,
                {"since": hunt_since, "wanted": list(wanted), "shortest": shortest.total_seconds()},
            ).fetchall()
        new = []
        for scope, facet, subject, value, when, event_id, watched, known, since, same in rows:
            analytic = wanted[f"{scope}/{facet}"]
            training, activation = analytic.trained(override)
            if when - watched >= training and when - (since or when) >= activation:
                new.append(
                    (analytic, scope, facet, subject, value, when, event_id, watched, known, same)
                )
        if not new:
            return []
        # The first events of the findings, read back from the events (a few rows).
        con, relation = events
        times = [n[5] for n in new]
        details = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT event_id, actor, account, aws_region, source_ip_address, "
                f"{HUMAN_SQL} FROM {relation} WHERE event_time BETWEEN ? AND ? "
                "AND list_contains(?, event_id)",
                [min(times), max(times), sorted({n[6] for n in new})],
            ).fetchall()
        }
        findings: list[Finding] = []
        for analytic, scope, facet, subject, value, when, event_id, watched, known, same in new:
            actor, account, region, ip, human = details.get(event_id, (None,) * 5)
            rule_id = analytic.variation_id(_severity_variation(analytic, human))
            if only is not None and rule_id not in only:
                continue
            why = _explain_new_value(scope, facet, subject, value, when - watched, known, same)
            resource = value.split(":")[0] if facet == "api" else value
            match = Match(rule_id, event_id, when, actor, account, region, ip, resource)
            findings.append((match, why))
        return findings

    def _drop_expected_tools(
        self, state: duckdb.DuckDBPyConnection, findings: list[Finding], override: timedelta | None
    ) -> list[Finding]:
        """Attack tooling from an identity that has run that tool for its training period is
        expected (the security team's scanner): only the others are findings."""
        analytic = BY_ID.get(PREFIX + TOOLS)
        tools = [(m, why) for m, why in findings if m.rule_id.startswith(PREFIX + TOOLS)]
        if analytic is None or not tools:
            return findings
        training = analytic.trained(override)[0]
        known = {
            (str(subject), str(value)): first
            for subject, value, first in state.execute(
                "SELECT subject, value, first_seen FROM analytics_profiles WHERE scope = 'actor' "
                "AND facet = 'tool' AND list_contains(?, subject)",
                [sorted({m.actor for m, _ in tools if m.actor})],
            ).fetchall()
        }
        expected = set()
        for match, _ in tools:
            since = known.get((match.actor or "", match.resource or ""))
            if since is not None and match.event_time - since >= training:
                expected.add(match.event_id)
        return [
            (m, why)
            for m, why in findings
            if not (m.rule_id.startswith(PREFIX + TOOLS) and m.event_id in expected)
        ]

    def _volume_findings(
        self,
        state: duckdb.DuckDBPyConnection,
        override: timedelta | None,
        history_since: Any,
        only: set[str] | None = None,
        hunt: bool = False,
    ) -> list[Finding]:
        """The hours of ``batch_volume`` far above their subject's hourly baseline (``hunt``:
        hours of the persisted volume, each against the hours before it)."""
        findings: list[Finding] = []
        for analytic in self.volume_analytics:
            training, activation = analytic.trained(override)
            for scope, variation, noun in VOLUME_SCOPES_OF[analytic.name]:
                rule_id = analytic.variation_id(variation)
                if only is not None and rule_id not in only:
                    continue
                window = max(training, WINDOW)
                for hour in unusual_hours(state, [scope], training, window, counted=not hunt):
                    if history_since is None or hour.hour - history_since < activation:
                        continue
                    actor = hour.subject if scope.startswith("actor") else None
                    resource = None if actor else hour.subject
                    match = Match(
                        rule_id, hour.event_id, hour.first_time, actor, None, None, None, resource
                    )
                    findings.append((match, hour.explain(noun)))
        return findings

    def _travel_findings(
        self,
        state: duckdb.DuckDBPyConnection,
        logins: pa.Table,
        override: timedelta | None,
        *,
        profiled: bool = True,
    ) -> list[Finding]:
        """Impossible journeys of people watched for the detector's training period (since their
        first event in the profile or, in ``batch_facts`` when registered, in the batch)."""
        if self.travel is None:
            return []
        training = self.travel.trained(override)[0]
        people = sorted(set(logins.column("person").to_pylist()))
        profiles = "analytics_profiles"
        if profiled:  # a batch: its own first events count too
            columns = "scope, subject, facet, first_seen"
            profiles = (
                f"(SELECT {columns} FROM analytics_profiles "
                f"UNION ALL SELECT {columns} FROM batch_facts)"
            )
        watched = dict(
            state.execute(
                f"SELECT subject, min(first_seen) FROM {profiles} WHERE scope = 'person' "
                "AND facet = 'any' AND list_contains($people, subject) GROUP BY subject",
                {"people": people},
            ).fetchall()
        )
        journeys = [
            j
            for j in impossible_journeys(state, logins, profiled=profiled)
            if j.person in watched and j.event_time - watched[j.person] >= training
        ]
        return [
            (
                Match(
                    self.travel.rule_id,
                    j.event_id,
                    j.event_time,
                    j.actor,
                    None,
                    None,
                    None,
                    f"{j.prev_country}->{j.country}",
                ),
                j.explain(),
            )
            for j in journeys
        ]

    @staticmethod
    def _complete(
        events: tuple[duckdb.DuckDBPyConnection, str], findings: list[Finding]
    ) -> list[Finding]:
        """Account, region and address of findings that know only their event (a few rows),
        read from ``events`` (the batch's connection and relation, or the lake's)."""
        bare = {m.event_id for m, _ in findings if m.account is None}
        if not bare:
            return findings
        con, relation = events
        times = [m.event_time for m, _ in findings if m.account is None]
        details = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT event_id, account, aws_region, source_ip_address "
                f"FROM {relation} WHERE event_time BETWEEN ? AND ? "
                "AND list_contains(?, event_id)",
                [min(times), max(times), sorted(bare)],
            ).fetchall()
        }
        done = []
        for match, why in findings:
            if match.account is None and match.event_id in details:
                account, region, ip = details[match.event_id]
                match = replace(match, account=account, region=region, source_ip=ip)
            done.append((match, why))
        return done

    # The Detector protocol -------------------------------------------------------------------
    def on_batch(self, batch: BatchContext) -> list[Match]:
        """Event detectors over the batch, then its new profile values, unusual hours and
        journeys; then learn it."""
        facts = batch.con.sql(facts_sql(batch.relation)).to_arrow_table()
        volume = batch.con.sql(volume_sql(batch.relation)).to_arrow_table()
        logins = (
            batch.con.sql(BATCH_LOGINS.format(relation=batch.relation)).to_arrow_table()
            if self.travel is not None
            else None
        )
        events = (batch.con, batch.relation)
        with self.state.connect() as state:
            settings = self._settings(state)
            override = self._training_override(settings)
            org = self._org_accounts(state, settings, batch.accounts)
            findings = self._event_findings(batch.con, batch.relation, "true", {}, org)
            findings = self._drop_expected_tools(state, findings, override)
            state.register("batch_facts", facts)
            state.register("batch_volume", volume)
            try:
                findings += self._profile_findings(state, override, events)
                if self.volume_analytics:
                    ((since,),) = state.execute(_HISTORY_SINCE).fetchall()
                    findings += self._volume_findings(state, override, since)
                if logins is not None:
                    findings += self._travel_findings(state, logins, override)
            finally:
                state.unregister("batch_facts")
                state.unregister("batch_volume")
            findings = self._complete(events, findings)
            merge(state, facts, volume)
            _record_explanations(state, findings)
        return [m for m, _ in findings]

    def explain(self, alerts: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """Write onto each of ``alerts`` that is an analytics one without an explanation the
        explanation of its first event's finding; the explanations written, by alert ID."""
        ids = [a["id"] for a in alerts if a.get("source") == SOURCE and not a.get("explanation")]
        if not ids:
            return {}
        with self.state.connect() as state:
            rows = state.execute(_EXPLAIN_ALERTS, [ids]).fetchall()
        return {str(i): str(why) for i, why in rows}

    def finish(self) -> list[Match]:
        """Once per ingest call: the retro-hunt, if an intel list changed since the last one
        (a release that ships a newer Tor list changes it without ``intel update``)."""
        return self.retro_hunt()

    def retro_hunt(self) -> list[Match]:
        """Re-run the detectors that read replaceable intel lists (Tor exits, AWS ranges) over
        the look-back of every list replaced since the last retro-hunt (setting
        ``intel-retro-hunt``); matches of events already alerted on only find their alert."""
        with self.state.connect() as state:
            rows = state.execute("SELECT value FROM settings WHERE key = ?", [MARKER]).fetchall()
        last = datetime.fromisoformat(str(rows[0][0])) if rows else None
        now = datetime.now(UTC)
        changes = [c for c in intel_changes_since(self.data_dir, last) if c.look_back]
        wanted = {a.rule_id for a in self.event_analytics if a.name in RETRO_HUNTED}
        findings: list[Finding] = []
        if changes and wanted:
            since = min(c.hunt_since for c in changes)
            backend = self.context.backend()
            try:
                con = getattr(backend, "con", None)
                if backend.dialect == "duckdb" and isinstance(con, duckdb.DuckDBPyConnection):
                    accounts = [str(a) for (a,) in backend.execute(_ACCOUNTS).rows]
                    with self.state.connect() as state:
                        org = self._org_accounts(state, self._settings(state), accounts)
                    findings = self._event_findings(
                        con, "cloudtrail", "event_time >= $since", {"since": since}, org, wanted
                    )
            finally:
                backend.close()
            log.info("intel retro-hunt since %s: %d findings", since, len(findings))
        with self.state.connect() as state:
            _record_explanations(state, findings)
            state.execute(
                "INSERT OR REPLACE INTO settings VALUES (?, ?)", [MARKER, now.isoformat()]
            )
        return [m for m, _ in findings]

    def hunt(
        self, backend: Backend, since: timedelta | None, only: set[str] | None = None
    ) -> list[Match]:
        """The event detectors over the stored events of the last ``since`` (None: all), and the
        profile, volume and travel detectors against the persisted profiles (DuckDB only)."""
        con = getattr(backend, "con", None)
        if backend.dialect != "duckdb" or not isinstance(con, duckdb.DuckDBPyConnection):
            return []
        if only is not None and not any(r.startswith(PREFIX) for r in only):
            return []
        where, params = "true", dict[str, object]()
        start = datetime(1970, 1, 1, tzinfo=UTC)
        if since is not None:
            start = datetime.now(UTC) - since
            where = "event_time >= $since"
            params = {"since": start}
        accounts = backend.execute(_ACCOUNTS).rows
        events = (con, "cloudtrail")
        with self.state.connect() as state:
            settings = self._settings(state)
            override = self._training_override(settings)
            org = self._org_accounts(state, settings, [str(a) for (a,) in accounts])
            findings = self._event_findings(con, "cloudtrail", where, params, org, only)
            findings = self._drop_expected_tools(state, findings, override)
            findings += self._profile_findings(state, override, events, start, only)
            findings += self._hunt_volume(state, override, start, only)
            findings += self._hunt_travel(state, con, override, start, only)
            findings = self._complete(events, findings)
            _record_explanations(state, findings)
        return [m for m, _ in findings]

    def _hunt_volume(
        self,
        state: duckdb.DuckDBPyConnection,
        override: timedelta | None,
        start: datetime,
        only: set[str] | None,
    ) -> list[Finding]:
        """The unusual hours of the persisted volume since ``start``."""
        if not self.volume_analytics:
            return []
        hours = state.sql(_HUNT_HOURS, params={"since": start, "floor": FLOOR}).to_arrow_table()
        ((history_since,),) = state.execute(_HISTORY_SINCE).fetchall()
        state.register("batch_volume", hours)
        try:
            return self._volume_findings(state, override, history_since, only, hunt=True)
        finally:
            state.unregister("batch_volume")

    def _hunt_travel(
        self,
        state: duckdb.DuckDBPyConnection,
        con: duckdb.DuckDBPyConnection,
        override: timedelta | None,
        start: datetime,
        only: set[str] | None,
    ) -> list[Finding]:
        """Impossible journeys among the lake's logins since ``start`` (and the day before)."""
        if self.travel is None or (only is not None and self.travel.rule_id not in only):
            return []
        sql = LOGINS.format(
            fresh="event_time >= $since", relation="cloudtrail", where="event_time >= $before"
        )
        params = {"since": start, "before": start - _TRAVEL_LOOK_BACK}
        logins = con.sql(sql, params=params).to_arrow_table()
        return self._travel_findings(state, logins, override, profiled=False)


def _record_explanations(state: duckdb.DuckDBPyConnection, findings: list[Finding]) -> None:
    """Keep each finding's explanation (the alert carries the event; this says why)."""
    if not findings:
        return
    rows = pa.table(
        {
            "rule_id": [m.rule_id for m, _ in findings],
            "event_id": [m.event_id for m, _ in findings],
            "event_time": pa.array([m.event_time for m, _ in findings], pa.timestamp("us", "UTC")),
            "actor": [m.actor for m, _ in findings],
            "explanation": [why for _, why in findings],
        }
    )
    state.register("finding_rows", rows)
    try:
        state.execute(
            "INSERT OR REPLACE INTO analytics_findings "
            "(rule_id, event_id, event_time, actor, explanation) "
            "SELECT DISTINCT ON (rule_id, event_id) * FROM finding_rows"
        )
    finally:
        state.unregister("finding_rows")


def explanations(data_dir: DataDir, limit: int = 50) -> list[tuple[Any, ...]]:
    """The latest findings with their explanations, newest first."""
    with StateDB(data_dir.state_db).connect(read_only=True) as con:
        return con.execute(
            "SELECT event_time, rule_id, actor, explanation FROM analytics_findings "
            "ORDER BY event_time DESC, rule_id LIMIT ?",
            [limit],
        ).fetchall()


__all__ = ["BY_ID", "AnalyticsDetector", "explanations"]
