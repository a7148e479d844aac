"""Detection over a data directory: hunting over history, each ingest batch, and retro-hunts.

``Detector`` loads the rules once, knows which are enabled, fills the placeholders rules may use
(``%org_accounts%``), runs the engine and hands the matches to the alert store. A rule that was
never seen before is first run over a look-back window (default 30 days), so that a newly added
rule finds the attack that already happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import duckdb
from sqlglot import exp

from trailhound.data_dir import DataDir
from trailhound.detect.alerts import record_matches
from trailhound.detect.base import RuleSet
from trailhound.detect.engine import load_rules, run_rules
from trailhound.detect.sigma_loader import parse_duration
from trailhound.model import Match, RuleInfo
from trailhound.store.enrichment import EnrichmentFiles, with_enrichment_sql
from trailhound.store.lake import ParquetLake
from trailhound.store.state import StateDB, register_table

ORG_ACCOUNTS = "org-accounts"
RETRO_HUNT = "retro-hunt"  # setting: look-back of the automatic hunt for new rules
DEFAULT_RETRO_HUNT = timedelta(days=30)

register_table(
    "rule_state",
    """
    CREATE TABLE IF NOT EXISTS rule_state (
        rule_id VARCHAR PRIMARY KEY, enabled BOOLEAN, added_at TIMESTAMPTZ,
        retro_hunted_at TIMESTAMPTZ)""",
)


def org_accounts(state: StateDB, seen: Iterable[str]) -> list[str]:
    """The organization's accounts: the setting, else the accounts that receive events."""
    value = state.get_setting(ORG_ACCOUNTS)
    if value:
        return sorted({a.strip() for a in value.split(",") if a.strip()})
    return sorted({a for a in seen if a and a != "unknown"})


def since_filter(since: timedelta | None, now: datetime | None = None) -> exp.Expression | None:
    """``event_time >= now - since`` or nothing."""
    if since is None:
        return None
    start = (now or datetime.now(UTC)) - since
    return exp.GTE(
        this=exp.column("event_time"),
        expression=exp.cast(exp.Literal.string(start.isoformat()), "TIMESTAMPTZ"),
    )


class Detector:
    """Rules, the lake and the alert store of one data directory."""

    def __init__(
        self,
        data_dir: DataDir,
        *,
        extra_dirs: Sequence[Path] = (),
        ruleset: RuleSet | None = None,
        run_started: datetime | None = None,
    ) -> None:
        self.data_dir = data_dir
        # Events stored since then come through ``on_batch``: a retro-hunt need not see them.
        self.run_started = run_started
        self.state = StateDB(data_dir.state_db)
        self.lake = ParquetLake(data_dir)
        self.all_rules = ruleset if ruleset is not None else load_rules(extra_dirs)
        self.ruleset = self._enabled(self.all_rules)
        self._single = RuleSet(rules=self.ruleset.rules)
        self._hunted: set[str] = set()
        self._org_setting: str | None = None  # read once per detector: one ingest run
        self._pending: dict[str, tuple[datetime, datetime]] = {}  # correlation → window

    # Rules -------------------------------------------------------------------------------
    def _disabled(self) -> set[str]:
        with self.state.connect() as con:
            rows = con.execute("SELECT rule_id FROM rule_state WHERE NOT enabled").fetchall()
        return {r for (r,) in rows}

    def _enabled(self, ruleset: RuleSet) -> RuleSet:
        disabled = self._disabled()
        return RuleSet(
            rules=[r for r in ruleset.rules if r.id not in disabled],
            correlations=[c for c in ruleset.correlations if c.id not in disabled],
            problems=list(ruleset.problems),
        )

    def rule_infos(self) -> dict[str, RuleInfo]:
        """What alerts copy from each rule, by rule ID."""
        infos = {
            r.id: RuleInfo(r.title, r.level, r.tactics, r.techniques, r.suppression)
            for r in self.all_rules.rules
        }
        infos.update(
            {
                c.id: RuleInfo(c.title, c.level, c.tactics, c.techniques, c.suppression)
                for c in self.all_rules.correlations
            }
        )
        return infos

    def set_enabled(self, rule_id: str, enabled: bool) -> None:
        """Enable or disable a rule; enabling one makes the next run retro-hunt with it."""
        known = set(self.all_rules.alerting_ids())
        if rule_id not in known:
            from trailhound.errors import DetectError

            raise DetectError(f"no rule {rule_id!r}")
        with self.state.connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO rule_state VALUES (?, ?, now(), ?)",
                [rule_id, enabled, None],
            )
        self.ruleset = self._enabled(self.all_rules)
        self._single = RuleSet(rules=self.ruleset.rules)

    # Running -----------------------------------------------------------------------------
    def _placeholders(self, accounts: Iterable[str]) -> dict[str, list[str]]:
        if self._org_setting is None:
            self._org_setting = self.state.get_setting(ORG_ACCOUNTS) or ""
        if self._org_setting:
            return {
                "org_accounts": sorted(
                    {a.strip() for a in self._org_setting.split(",") if a.strip()}
                )
            }
        return {"org_accounts": sorted({a for a in accounts if a and a != "unknown"})}

    def _lake_connection(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        # The same view as a query's: the events with their src_* intel fields.
        enrichment = EnrichmentFiles(self.data_dir).scan_sql()
        con.execute(
            "CREATE VIEW cloudtrail AS " + with_enrichment_sql(self.lake.scan_sql(), enrichment)
        )
        return con

    def hunt(
        self,
        since: timedelta | None = None,
        *,
        only: set[str] | None = None,
        now: datetime | None = None,
        report_all: bool = False,
    ) -> list[dict[str, Any]]:
        """Run the enabled rules over the lake (the last ``since``); alerts created or grown.

        With ``report_all``, every alert the matches belong to, including ones stored before.
        """
        con = self._lake_connection()
        try:
            accounts = [
                a for (a,) in con.execute("SELECT DISTINCT account FROM cloudtrail").fetchall()
            ]
            matches = run_rules(
                con,
                "cloudtrail",
                self.ruleset,
                self._placeholders(accounts),
                since_filter(since, now),
                only,
            )
        finally:
            con.close()
        alerts = record_matches(self.state, matches, self.rule_infos(), report_all=report_all)
        if only is None:
            self._mark_hunted(self.ruleset.alerting_ids())
        return alerts

    def on_batch(self, con: duckdb.DuckDBPyConnection, relation: str) -> list[dict[str, Any]]:
        """Run the enabled rules over one ingest batch, then retro-hunt with rules new here."""
        accounts = [p.account for p in self.lake.partitions()]
        single = self._single
        seen: dict[str, tuple[datetime, datetime]] = {}
        matches: list[Match] = run_rules(
            con, relation, single, self._placeholders(accounts), seen=seen
        )
        alerts = record_matches(self.state, matches, self.rule_infos())
        # A correlation can only newly fire around the batch's events of its rules. Those windows
        # are collected here and run once, over the lake, by ``flush_correlations`` at the end
        # of the ingest call: one scan instead of one per batch when a bulk ingest's batches
        # each span days.
        for corr in self.ruleset.correlations:
            times = [seen[r] for r in corr.rule_ids if r in seen]
            if times:
                first = min(t[0] for t in times) - corr.timespan
                last = max(t[1] for t in times) + corr.timespan
                low, high = self._pending.get(corr.id, (first, last))
                self._pending[corr.id] = (min(low, first), max(high, last))
        if self._lake_is_batch(con, relation):
            # Everything stored is this batch, which every rule has just seen: nothing to hunt.
            self._mark_unhunted()
        else:
            alerts += self.retro_hunt()
        return alerts

    def flush_correlations(self) -> list[dict[str, Any]]:
        """Run the correlations that batches since the last flush touched; alerts created."""
        if not self._pending:
            return []
        low = min(w[0] for w in self._pending.values())
        high = max(w[1] for w in self._pending.values())
        only = set(self._pending)
        self._pending.clear()
        return self._correlate_recent(only, low, high)

    def _lake_is_batch(self, con: duckdb.DuckDBPyConnection, relation: str) -> bool:
        """Whether the lake holds no events but those this ingest run's batches bring."""
        if self._hunted >= set(self.ruleset.alerting_ids()):
            return False  # nothing left to hunt: don't count
        lake = self._lake_connection()
        try:
            if self.run_started is not None:
                older = lake.execute(
                    "SELECT count(*) FROM cloudtrail WHERE ingested_at < ?", [self.run_started]
                ).fetchone()
                return older is not None and older[0] == 0
            stored = lake.execute("SELECT count(*) FROM cloudtrail").fetchone()
        finally:
            lake.close()
        batch = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
        return batch is not None and stored is not None and batch[0] == stored[0]

    def _mark_unhunted(self) -> None:
        """Record every rule not yet retro-hunted as hunted."""
        with self.state.connect() as con:
            done = {
                r
                for (r,) in con.execute(
                    "SELECT rule_id FROM rule_state WHERE retro_hunted_at IS NOT NULL"
                ).fetchall()
            }
        fresh = sorted(i for i in self.ruleset.alerting_ids() if i not in done)
        if fresh:
            self._mark_hunted(fresh)
        else:
            self._hunted.update(self.ruleset.alerting_ids())

    def _correlate_recent(
        self, only: set[str], low: datetime, high: datetime
    ) -> list[dict[str, Any]]:
        """Run correlations over the lake between ``low`` and ``high`` (dates pruned)."""
        where = cast(
            exp.Expression,
            exp.and_(
                exp.GTE(this=exp.column("date"), expression=exp.Placeholder()),
                exp.LTE(this=exp.column("date"), expression=exp.Placeholder()),
                exp.GTE(this=exp.column("event_time"), expression=exp.Placeholder()),
                exp.LTE(this=exp.column("event_time"), expression=exp.Placeholder()),
            ),
        )
        lake = self._lake_connection()
        try:
            accounts = [p.account for p in self.lake.partitions()]
            matches = run_rules(
                lake,
                "cloudtrail",
                self.ruleset,
                self._placeholders(accounts),
                where,
                only,
                params=[low.date(), high.date(), low, high],
            )
        finally:
            lake.close()
        return record_matches(self.state, matches, self.rule_infos())

    def retro_hunt(self) -> list[dict[str, Any]]:
        """Run rules never run before over the look-back window; alerts created or grown."""
        if self._hunted >= set(self.ruleset.alerting_ids()):
            return []
        with self.state.connect() as con:
            done = {
                r
                for (r,) in con.execute(
                    "SELECT rule_id FROM rule_state WHERE retro_hunted_at IS NOT NULL"
                ).fetchall()
            }
        fresh = {i for i in self.ruleset.alerting_ids() if i not in done}
        if not fresh:
            return []
        look_back = parse_duration(self.state.get_setting(RETRO_HUNT), DEFAULT_RETRO_HUNT)
        alerts = self.hunt(look_back, only=fresh)
        self._mark_hunted(sorted(fresh))
        return alerts

    def _mark_hunted(self, rule_ids: Sequence[str]) -> None:
        self._hunted.update(rule_ids)
        now = datetime.now(UTC)
        with self.state.connect() as con:
            con.execute(
                "INSERT INTO rule_state SELECT unnest(CAST(? AS VARCHAR[])), TRUE, ?, ? "
                "ON CONFLICT (rule_id) DO UPDATE SET retro_hunted_at = excluded.retro_hunted_at",
                [list(rule_ids), now, now],
            )
