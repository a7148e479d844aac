"""The rule set as a detector (``sigma``): every enabled rule on each batch, over history, and
retro-hunts for rules new to the data directory.

``SigmaDetector`` loads the rules once (the built-in pack, rule folders given, every registered
rule format), knows which are enabled (``rule_state``), fills the placeholders rules may use
(``%org_accounts%``) and runs the one-scan engine, on an ingest batch's connection or on a
backend over the lake. A rule never run over this data directory before is first run over a
look-back window (the ``retro-hunt`` setting, default 30 days), so that a newly added rule finds
the attack that already happened. It returns matches; recording them as alerts is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, cast

from sqlglot import exp

from trailhound.detect.base import BatchContext, DetectorContext, RuleSet
from trailhound.detect.engine import OneScan, load_rules, run_rules
from trailhound.detect.matches import MatchTable
from trailhound.detect.rule_cache import RuleCache
from trailhound.detect.signal_rollups import SignalRollups
from trailhound.durations import DurationError, parse_duration
from trailhound.errors import DetectError
from trailhound.model import RuleInfo
from trailhound.query.dialects import get_dialect
from trailhound.store.base import Backend
from trailhound.store.duckdb import DuckDBBackend
from trailhound.store.lakes import open_lake
from trailhound.store.state import StateDB

ORG_ACCOUNTS = "org-accounts"
SIGNAL_RULES = "signal-rules"  # setting: more rule IDs treated as signals (``-ID`` alerts again)
# Rules of other authors that are context rather than action on ordinary traffic, treated as
# signals unless the setting drops them (by ID: their files are the user's, never copied here).
DEFAULT_SIGNAL_RULES: frozenset[str] = frozenset(
    {
        "905d389b-b853-46d0-9d3d-dea0d3a3cd49",  # SigmaHQ AWS STS AssumeRole Misuse: role chaining
        # The reasons, one per rule, are in docs/detection-coverage.md ("SigmaHQ rules as signals").
        "77caf516-34e5-4df9-b4db-20744fea0a60",  # SigmaHQ Console Login Without MFA: every SSO one
        "6fb77778-040f-4015-9440-572aa9b6b580",  # SigmaHQ Security Group Modification: every change
        "f305fd62-beca-47da-ad95-7690a0620084",  # SigmaHQ Potential Bucket Enumeration: a read
        "8ad1600d-e9dc-4251-b0ee-a65268f29add",  # SigmaHQ AWS Root Credentials: pack root rules
        "6393e346-1977-46ef-8987-ad414a145fad",  # SigmaHQ ConsoleLogin Failed Authentication
    }
)
RETRO_HUNT = "retro-hunt"  # setting: look-back of the automatic hunt for new rules
DEFAULT_RETRO_HUNT = timedelta(days=30)
# A hunt scans the lake in parts of whole days of about this many events: what it holds at once
# is bounded by a part's matches, and each scan costs a fixed ~0.4 s (parsing and planning the
# rules), so parts are not made smaller than they need to be.
EVENTS_PER_PART = 400_000


def org_accounts(state: StateDB, seen: Iterable[str]) -> list[str]:
    """The organization's accounts: the setting, else the accounts that receive events."""
    value = state.get_setting(ORG_ACCOUNTS)
    if value:
        return sorted({a.strip() for a in value.split(",") if a.strip()})
    return sorted({a for a in seen if a and a != "unknown"})


def signal_rule_ids(value: str | None) -> set[str]:
    """The rule IDs treated as signals: the defaults, plus and minus the setting's."""
    ids = set(DEFAULT_SIGNAL_RULES)
    for item in (value or "").split(","):
        item = item.strip()
        if item.startswith("-"):
            ids.discard(item[1:].strip())
        elif item:
            ids.add(item)
    return ids


def alerting_rule_ids(value: str | None) -> set[str]:
    """The rule IDs or names the setting turns back into alerts (``-ID``), signals by default or
    declared ``signal: true`` in their file: an organization that never uses root, say, alerts on
    every root sign-in with ``-root_console_login_mfa``."""
    items = (item.strip() for item in (value or "").split(","))
    return {item[1:].strip() for item in items if item.startswith("-")}


def retro_hunt_window(value: str | None) -> timedelta:
    """The ``retro-hunt`` setting as a duration (30 days when unset)."""
    if value is None:
        return DEFAULT_RETRO_HUNT
    try:
        return parse_duration(value)
    except DurationError as error:
        raise DetectError(f"setting {RETRO_HUNT}: {error.message}") from error


def since_filter(since: timedelta | None, now: datetime | None = None) -> exp.Expression | None:
    """``event_time >= now - since`` or nothing."""
    if since is None:
        return None
    start = (now or datetime.now(UTC)) - since
    return exp.GTE(
        this=exp.column("event_time"),
        expression=exp.cast(exp.Literal.string(start.isoformat()), "TIMESTAMPTZ"),
    )


def days_in_parts(
    sizes: Iterable[tuple[date, int]], events_per_part: int = EVENTS_PER_PART
) -> list[tuple[date, date]]:
    """Consecutive days grouped into parts of about ``events_per_part`` events (a day larger
    than that is a part of its own): the first and last day of each.

    >>> from datetime import date
    >>> parts = days_in_parts([(date(2026, 1, d), 300) for d in (3, 1, 2)], events_per_part=600)
    >>> [(first.day, last.day) for first, last in parts]
    [(1, 2), (3, 3)]
    """
    parts: list[tuple[date, date]] = []
    held = 0
    for day, count in sorted(sizes):
        if parts and held + count <= events_per_part:
            parts[-1] = (parts[-1][0], day)
            held += count
        else:
            parts.append((day, day))
            held = count
    return parts


def _scalar(backend: Backend, query: exp.Expr, params: Sequence[object] = ()) -> object:
    """The one value of a one-row query, rendered in the backend's dialect."""
    rows = backend.execute(get_dialect(backend.dialect).generate(query), params).rows
    return rows[0][0] if rows else None


def _count(relation: str, where: exp.Expression | None = None) -> exp.Select:
    query = exp.select(exp.func("count", exp.Star())).from_(relation)
    return query.where(where) if where is not None else query


class SigmaDetector:
    """Rules of one data directory, enabled or not, run as a detector."""

    name: ClassVar[str] = "sigma"

    def __init__(self, context: DetectorContext, *, ruleset: RuleSet | None = None) -> None:
        self.context = context
        # Events stored since then come through ``on_batch``: a retro-hunt need not see them.
        self.run_started = context.run_started
        self.state = StateDB(context.data_dir.state_db)
        self.rollups = SignalRollups(self.state)  # the bounded signal policy
        self.lake = open_lake(context.data_dir)
        cache = RuleCache(context.data_dir.cache / "rules")
        self.all_rules = (
            ruleset if ruleset is not None else load_rules(context.rule_dirs, cache=cache)
        )
        setting = self.state.get_setting(SIGNAL_RULES)
        signals, alerting = signal_rule_ids(setting), alerting_rule_ids(setting)
        for rule in self.all_rules.rules:
            if rule.id in alerting or (rule.name is not None and rule.name in alerting):
                rule.signal = False
            elif rule.id in signals or (rule.name is not None and rule.name in signals):
                rule.signal = True
        self.ruleset = self._enabled(self.all_rules)
        self._single = self._derived(rules=self.ruleset.rules)
        self._hunted: set[str] = set()
        self._org_setting: str | None = None  # read once per detector: one ingest run
        self._pending: dict[str, tuple[datetime, datetime]] = {}  # correlation → window
        self._infos: dict[str, RuleInfo] | None = None

    # Rules -------------------------------------------------------------------------------
    def _disabled(self) -> set[str]:
        with self.state.connect() as con:
            rows = con.execute("SELECT rule_id FROM rule_state WHERE NOT enabled").fetchall()
        return {r for (r,) in rows}

    def _enabled(self, ruleset: RuleSet) -> RuleSet:
        disabled = self._disabled()
        return self._derived(
            rules=[r for r in ruleset.rules if r.id not in disabled],
            correlations=[c for c in ruleset.correlations if c.id not in disabled],
            problems=list(ruleset.problems),
        )

    def _derived(self, **parts: Any) -> RuleSet:
        """A rule set made of loaded rules, keeping the cache their scan SQL is kept in."""
        return RuleSet(**parts, fingerprint=self.all_rules.fingerprint, cache=self.all_rules.cache)

    def infos(self) -> dict[str, RuleInfo]:
        """What alerts copy from each rule, by rule ID."""
        if self._infos is None:
            infos = {r.id: r.info() for r in self.all_rules.rules}
            infos.update({c.id: c.info() for c in self.all_rules.correlations})
            self._infos = infos
        return self._infos

    def set_enabled(self, rule_id: str, enabled: bool) -> None:
        """Enable or disable a rule; enabling one makes the next run retro-hunt with it."""
        known = set(self.all_rules.alerting_ids())
        if rule_id not in known:
            raise DetectError(f"no rule {rule_id!r}")
        with self.state.connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO rule_state VALUES (?, ?, now(), ?)",
                [rule_id, enabled, None],
            )
        self.ruleset = self._enabled(self.all_rules)
        self._single = self._derived(rules=self.ruleset.rules)

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

    def hunt(
        self, backend: Backend, since: timedelta | None, only: set[str] | None = None
    ) -> MatchTable:
        """Run the enabled rules over the lake (the last ``since``); the matches.

        A hunt with every rule counts as every rule's retro-hunt.
        """
        return MatchTable.concat(list(self.hunt_parts(backend, since, only)))

    def hunt_parts(
        self, backend: Backend, since: timedelta | None, only: set[str] | None = None
    ) -> Iterator[MatchTable]:
        """``hunt``'s matches a few days of the lake at a time (``days_in_parts``), then the
        correlations' over them all.

        A day is a partition of the lake (a part's scan reads only its files) and a UTC day, as
        a signal's rollup is: the rollups of a part's days are complete when it is handed on.
        """
        dialect = get_dialect(backend.dialect)
        distinct = exp.select(exp.column("account")).distinct().from_("cloudtrail")
        accounts = [str(a) for (a,) in backend.execute(dialect.generate(distinct)).rows if a]
        window = since_filter(since)
        sizes = exp.select(exp.column("date"), exp.func("count", exp.Star())).from_("cloudtrail")
        if window is not None:
            sizes = sizes.where(window.copy())
        days = backend.execute(dialect.generate(sizes.group_by(exp.column("date")))).rows
        between = exp.Between(
            this=exp.column("date"), low=exp.Placeholder(), high=exp.Placeholder()
        )
        where = between if window is None else cast(exp.Expression, exp.and_(window, between))
        placeholders = self._placeholders(accounts)
        with OneScan(backend, "cloudtrail", self.ruleset, placeholders, where, only) as scan:
            for first, last in days_in_parts([(d, int(n)) for d, n in days]):
                yield self.rollups.bound(scan.scan([first, last]), self.ruleset.rules)
            yield scan.correlate()
        if only is None:
            self._mark_hunted(self.ruleset.alerting_ids())

    def on_batch(self, batch: BatchContext) -> MatchTable:
        """The enabled rules over one ingest batch, then retro-hunts with rules new here."""
        accounts = [p.account for p in self.lake.partitions()]
        seen: dict[str, tuple[datetime, datetime]] = {}
        matches = run_rules(
            DuckDBBackend(batch.con),
            batch.relation,
            self._single,
            self._placeholders(accounts),
            seen=seen,
        )
        matches = self.rollups.bound(matches, self.ruleset.rules)
        # A correlation can only newly fire around the batch's events of its rules. Those windows
        # are collected here and run once, over the lake, by ``finish`` at the end of the ingest
        # call: one scan instead of one per batch when a bulk ingest's batches each span days.
        for corr in self.ruleset.correlations:
            times = [seen[r] for r in corr.rule_ids if r in seen]
            if times:
                first = min(t[0] for t in times) - corr.timespan
                last = max(t[1] for t in times) + corr.timespan
                low, high = self._pending.get(corr.id, (first, last))
                self._pending[corr.id] = (min(low, first), max(high, last))
        if self._lake_is_batch(batch):
            # Everything stored is this batch, which every rule has just seen: nothing to hunt.
            self._mark_unhunted()
        else:
            matches += self.retro_hunt()
        return matches

    def finish(self) -> MatchTable:
        """Run the correlations that batches since the last call touched."""
        if not self._pending:
            return MatchTable()
        low = min(w[0] for w in self._pending.values())
        high = max(w[1] for w in self._pending.values())
        only = set(self._pending)
        self._pending.clear()
        return self._correlate_recent(only, low, high)

    def _lake_is_batch(self, batch: BatchContext) -> bool:
        """Whether the lake holds no events but those this ingest run's batches bring."""
        if self._hunted >= set(self.ruleset.alerting_ids()):
            return False  # nothing left to hunt: don't count
        lake = self.context.backend()
        try:
            if self.run_started is not None:
                older = exp.LT(this=exp.column("ingested_at"), expression=exp.Placeholder())
                return _scalar(lake, _count("cloudtrail", older), [self.run_started]) == 0
            stored = _scalar(lake, _count("cloudtrail"))
        finally:
            lake.close()
        return _scalar(DuckDBBackend(batch.con), _count(batch.relation)) == stored

    def _hunted_ids(self) -> set[str]:
        with self.state.connect() as con:
            return {
                r
                for (r,) in con.execute(
                    "SELECT rule_id FROM rule_state WHERE retro_hunted_at IS NOT NULL"
                ).fetchall()
            }

    def _mark_unhunted(self) -> None:
        """Record every rule not yet retro-hunted as hunted."""
        done = self._hunted_ids()
        fresh = sorted(i for i in self.ruleset.alerting_ids() if i not in done)
        if fresh:
            self._mark_hunted(fresh)
        else:
            self._hunted.update(self.ruleset.alerting_ids())

    def _correlate_recent(self, only: set[str], low: datetime, high: datetime) -> MatchTable:
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
        lake = self.context.backend()
        try:
            accounts = [p.account for p in self.lake.partitions()]
            return run_rules(
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

    def retro_hunt(self) -> MatchTable:
        """Run rules never run before over the look-back window; their matches."""
        if self._hunted >= set(self.ruleset.alerting_ids()):
            return MatchTable()
        done = self._hunted_ids()
        fresh = {i for i in self.ruleset.alerting_ids() if i not in done}
        if not fresh:
            return MatchTable()
        look_back = retro_hunt_window(self.state.get_setting(RETRO_HUNT))
        lake = self.context.backend()
        try:
            matches = self.hunt(lake, look_back, only=fresh)
        finally:
            lake.close()
        self._mark_hunted(sorted(fresh))
        return matches

    def _mark_hunted(self, rule_ids: Sequence[str]) -> None:
        self._hunted.update(rule_ids)
        now = datetime.now(UTC)
        with self.state.connect() as con:
            con.execute(
                "INSERT INTO rule_state SELECT unnest(CAST(? AS VARCHAR[])), TRUE, ?, ? "
                "ON CONFLICT (rule_id) DO UPDATE SET retro_hunted_at = excluded.retro_hunted_at",
                [list(rule_ids), now, now],
            )
