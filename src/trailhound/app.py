"""The application: one data directory and everything wired around it, for every front door.

``Trailhound(data_dir, settings)`` owns the data directory, its state database, the alert store
with its configured outputs, and the wiring of detection (``Detection`` raising into the alert
store); it offers the operations a front door needs — ingest from a source, query, hunt, alerts,
rules, settings, integrations, collection and the ledger — and returns plain values. The command
line (``cli/``) renders them; a REST API will call the same methods. Nothing here prints or knows
about Typer or Rich.

Start-up matters to a command line, so every heavy module (DuckDB, pyarrow, pySigma, boto3,
cryptography) is imported inside the method that needs it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trailhound.data_dir import DataDir
from trailhound.errors import EngineError, SettingError, TrailhoundError
from trailhound.outcomes import (
    Feedback,
    Hunt,
    LedgerCheck,
    QueryOutcome,
    RuleStates,
    SavedResult,
    StoreStats,
)

if TYPE_CHECKING:
    from trailhound.collect import CollectReport, IntegrationRun
    from trailhound.detect.base import RuleSet
    from trailhound.detect.detection import Detection
    from trailhound.incidents.alerts import AlertStore
    from trailhound.incidents.graph import Graph
    from trailhound.incidents.store import IncidentStore
    from trailhound.incidents.suppressions import SuppressionStore
    from trailhound.ingest import Progress
    from trailhound.intel.versions import IntelVersion
    from trailhound.model import IngestSummary
    from trailhound.query.compiler import CompiledQuery
    from trailhound.query.library import QueryLibrary
    from trailhound.query.plans import QueryPlan
    from trailhound.query.saved_datasets import LazyCatalog, SavedDatasets
    from trailhound.sources.aws.connection_test import ConnectionReport
    from trailhound.sources.aws.integrations import Integration
    from trailhound.sources.aws.sqs import CollectorOptions, CollectSummary
    from trailhound.sources.base import Source
    from trailhound.store.base import Backend
    from trailhound.store.engine import QueryEngine
    from trailhound.store.integrations import IntegrationStore
    from trailhound.store.state import StateDB

SETTINGS = (
    "org-accounts",
    "retro-hunt",
    "signal-rules",
    "intel-retro-hunt",
    "analytics-training",
    "incident-window",
)  # and output.<name> for each alert output
ANALYTICS_DETECTOR = "analytics"  # the registered name of the analytics detectors
HUNT_KINDS = (None, "rules", "analytics")  # what ``hunt(only=…)`` narrows to

Rows = tuple[list[str], list[tuple[Any, ...]]]


DEFAULT_ENGINE = "duckdb"  # the embedded engine; others are store backends (``--engine spark``)


@dataclass(frozen=True, slots=True)
class Settings:
    """How this process runs the application (the data directory's own settings live in its
    state database: see :meth:`Trailhound.get_setting`)."""

    rule_dirs: tuple[Path, ...] = ()  # extra Sigma rule folders, beside the built-in pack


class Trailhound:
    """One data directory and the operations every front door offers on it."""

    def __init__(self, data_dir: DataDir | Path, settings: Settings | None = None) -> None:
        self.data_dir = data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir))
        self.settings = settings or Settings()

    def _rule_dirs(self, extra: Sequence[Path]) -> tuple[Path, ...]:
        return (*self.settings.rule_dirs, *extra)

    # What the data directory holds -------------------------------------------------------
    @cached_property
    def state(self) -> StateDB:
        """The state database (created on first write)."""
        from trailhound.store.state import StateDB

        return StateDB(self.data_dir.state_db)

    @cached_property
    def alert_store(self) -> AlertStore:
        """The alerts, to read and triage (detection records into its own, with outputs)."""
        from trailhound.incidents.alerts import AlertStore

        return AlertStore(self.state)

    def detection(
        self,
        rule_dirs: Sequence[Path] = (),
        *,
        open_backend: Callable[[], Backend] | None = None,
    ) -> Detection:
        """Every installed detector, raising into the alert store and on to the outputs the
        settings configure now (a new one per ingest, hunt or collection); hunts read the lake
        through ``open_backend`` (the embedded DuckDB when None)."""
        from trailhound.detect.detection import Detection
        from trailhound.incidents.alerts import AlertStore

        alerts = AlertStore.for_data_dir(self.data_dir)
        return Detection(
            self.data_dir, alerts, rule_dirs=self._rule_dirs(rule_dirs), open_backend=open_backend
        )

    # Engines -----------------------------------------------------------------------------
    @staticmethod
    def engines() -> list[str]:
        """The query engines a query or a hunt can run on (``duckdb`` and every backend)."""
        from trailhound.store.base import BACKENDS

        return sorted({DEFAULT_ENGINE, *BACKENDS.names()})

    def backend_opener(
        self, engine: str, options: Mapping[str, str] | None = None
    ) -> Callable[[], Backend] | None:
        """How a hunt opens the backend ``engine`` over this data directory (its ``options``,
        e.g. Spark's ``master``); None for the embedded DuckDB, the detectors' default."""
        from trailhound.store.base import open_backend

        if engine not in self.engines():
            raise EngineError(f"unknown engine {engine!r}: use {', '.join(self.engines())}")
        if engine == DEFAULT_ENGINE:
            return None
        chosen = dict(options or {})
        return lambda: open_backend(engine, self.data_dir, **chosen)

    # Ingest ------------------------------------------------------------------------------
    def ingest(
        self,
        sources: Iterable[Source],
        *,
        detect: bool = True,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> IngestSummary:
        """Run the ingest loop over each source in turn, detecting on every batch."""
        from trailhound.ingest import Ingestor
        from trailhound.model import IngestSummary

        summary = IngestSummary()
        detection = self.detection() if detect else None
        with Ingestor(self.data_dir, on_progress=on_progress, detection=detection) as ingestor:
            for source in sources:
                summary.merge(ingestor.ingest(source))
        return summary

    def ingest_paths(self, paths: Iterable[Path], *, detect: bool = True) -> IngestSummary:
        """Ingest files and folders (files ingested before, same size and mtime, skip)."""
        from trailhound.sources.files import FileSource

        return self.ingest([FileSource(paths)], detect=detect)

    # Query -------------------------------------------------------------------------------
    @cached_property
    def saved_datasets(self) -> SavedDatasets:
        """Results and views saved by ``| target …``."""
        from trailhound.query.saved_datasets import SavedDatasets

        return SavedDatasets(self.state)

    @cached_property
    def library(self) -> QueryLibrary:
        """Saved queries and the built-in hunts."""
        from trailhound.query.hunts import HUNTING_QUERIES
        from trailhound.query.library import QueryLibrary

        return QueryLibrary(self.state, HUNTING_QUERIES)

    def compile(
        self,
        text: str,
        *,
        since: str | None = None,
        params: Mapping[str, str] | None = None,
        catalog: LazyCatalog | None = None,
    ) -> CompiledQuery:
        """Compile a pipe query; ``since`` (``24h``, ``1h30m``) bounds an unbounded one.
        ``catalog``: the saved datasets it may read (default: this data directory's)."""
        from trailhound.durations import parse_duration
        from trailhound.query.compiler import compile_query

        return compile_query(
            text,
            since=parse_duration(since) if since else None,
            params=params,
            catalog=catalog if catalog is not None else self.saved_datasets.lazy_catalog(),
        )

    def query(
        self,
        text: str,
        *,
        since: str | None = None,
        params: Mapping[str, str] | None = None,
        max_rows: int | None = None,
    ) -> QueryOutcome:
        """Compile and run a pipe query on the embedded engine (as ``compile`` then
        ``execute``); a query run before with the same text and options, over built-in
        datasets only, reuses its kept plan and skips the compiler (``query.plans``)."""
        from trailhound.query.plans import PlanCache
        from trailhound.store.engine import QueryEngine

        cache = PlanCache(self.data_dir.cache / "plans")
        key = cache.key(text, since=since, params=params, max_rows=max_rows)
        plan = cache.get(key)
        if plan is None:
            from trailhound.query.plans import plan_of

            catalog = self.saved_datasets.lazy_catalog()
            compiled = self.compile(text, since=since, params=params, catalog=catalog)
            if compiled.target is not None or catalog.opened:
                return self.execute(compiled, params, max_rows=max_rows)
            plan = plan_of(compiled, max_rows)
            if self.data_dir.root.exists():  # a query of an empty folder leaves nothing there
                cache.put(key, plan)
        with QueryEngine(self.data_dir) as embedded:
            return _run_plan(embedded, plan, max_rows)

    def explain(self, compiled: CompiledQuery, dialect: str = "duckdb") -> str:
        """The query's SQL for ``dialect`` and the lake partitions it reads."""
        from trailhound.query.explain import explain
        from trailhound.store.lakes import open_lake

        partitions = [(p.date, p.account) for p in open_lake(self.data_dir).partitions()]
        return explain(compiled, dialect, partitions).render()

    def execute(
        self,
        compiled: CompiledQuery,
        params: Mapping[str, str] | None = None,
        *,
        max_rows: int | None = None,
        engine: str = DEFAULT_ENGINE,
        engine_options: Mapping[str, str] | None = None,
    ) -> QueryOutcome:
        """Run a compiled query: its rows, or (``| target …``) what it saved.

        With ``max_rows``, a query without a limit of its own returns at most that many rows,
        and ``total`` says how many it has when there are more. ``engine`` runs it on another
        backend over the same lake (``spark``, with ``engine_options`` such as its ``master``);
        only the embedded engine saves a result as a dataset.
        """
        from trailhound.query.saved_datasets import result_rows
        from trailhound.store.engine import QueryEngine

        target = compiled.target
        saved = self.saved_datasets
        if target is not None and target.kind == "view":
            saved.save(compiled, None, dict(params or {}))
            return QueryOutcome(saved=SavedResult(target.name, "view", None, False))
        if engine != DEFAULT_ENGINE:
            return self._execute_on(engine, engine_options, compiled)
        with QueryEngine(self.data_dir) as embedded:
            if target is None:
                from trailhound.query.plans import plan_of

                return _run_plan(embedded, plan_of(compiled, max_rows), max_rows)
            table = result_rows(embedded, compiled)
        count = saved.save(compiled, table, dict(params or {}))
        return QueryOutcome(saved=SavedResult(target.name, "dataset", count, target.append))

    def _execute_on(
        self, engine: str, options: Mapping[str, str] | None, compiled: CompiledQuery
    ) -> QueryOutcome:
        """Run a compiled query on the backend ``engine`` (not the embedded DuckDB)."""
        from trailhound.store.base import open_backend

        if engine not in self.engines():
            raise EngineError(f"unknown engine {engine!r}: use {', '.join(self.engines())}")
        if compiled.target is not None:
            raise EngineError(f"--engine {engine} does not save results: drop the | target")
        backend = open_backend(engine, self.data_dir, **dict(options or {}))
        try:
            result = backend.execute(compiled.sql(backend.dialect))
        finally:
            backend.close()
        return QueryOutcome(result.columns, result.rows)

    def sql(self, statement: str) -> Rows:
        """Run one read-only SQL statement over the datasets."""
        from trailhound.store.engine import QueryEngine

        with QueryEngine(self.data_dir) as engine:
            return engine.execute_read_only(statement)

    def stats(self) -> StoreStats:
        """Events per account, and what the lake and the ingest ledger hold."""
        from trailhound.store.engine import QueryEngine

        with QueryEngine(self.data_dir) as engine:
            columns, rows = engine.execute(
                "SELECT account, count(*) AS events, min(event_time) AS first_event, "
                "max(event_time) AS last_event, count(DISTINCT aws_region) AS regions, "
                "count(DISTINCT event_name) AS event_names, sum(is_error::INT) AS errors "
                "FROM cloudtrail GROUP BY account ORDER BY account"
            )
            _, quarantine = engine.execute("SELECT count(*) FROM quarantine")
            _, files = engine.execute("SELECT count(*) FROM ingested_files")
            parts = engine.lake.partitions()
        return StoreStats(
            columns,
            rows,
            files_ingested=int(files[0][0]),
            quarantined=int(quarantine[0][0]),
            partitions=len(parts),
            parquet_files=sum(p.files for p in parts),
            bytes=sum(p.bytes for p in parts),
        )

    def compact(self, min_files: int = 2) -> int:
        """Rewrite partitions of ``min_files`` or more small Parquet files into one each (on
        disk or on S3, where each event is kept once); returns how many files were removed."""
        import duckdb

        from trailhound.store.lakes import open_lake

        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            return open_lake(self.data_dir).compact(con, min_files=max(2, min_files))
        finally:
            con.close()

    def expire(self, older_than: str) -> tuple[int, date]:
        """Delete the lake's days older than the retention ``older_than`` (``400d``, by event
        date in UTC); returns how many files went and the first day kept."""
        from trailhound.durations import parse_duration
        from trailhound.store.lakes import open_lake

        before = (datetime.now(UTC) - parse_duration(older_than)).date()
        return open_lake(self.data_dir).expire(before), before

    # Detection ---------------------------------------------------------------------------
    def hunt(
        self,
        since: str | None = "30d",
        *,
        rule_dirs: Sequence[Path] = (),
        report_all: bool = True,
        engine: str = DEFAULT_ENGINE,
        engine_options: Mapping[str, str] | None = None,
        only: str | None = None,
    ) -> Hunt:
        """Run every enabled detector over ``since`` of history (``all``/None: everything);
        every alert the matches belong to (``report_all``) or only those created or grown.
        ``engine`` reads the lake through another backend (``spark``: the same compiled rules
        on Spark; the alerts go to the same state database). ``only``: ``rules`` (every
        detector but the analytics) or ``analytics`` (only those).
        """
        from trailhound.detect.rules_detector import SigmaDetector
        from trailhound.durations import parse_window

        if only not in HUNT_KINDS:
            raise SettingError(f"--only takes rules or analytics, not {only!r}")
        window = parse_window(since)
        opener = self.backend_opener(engine, engine_options)
        detection = self.detection(rule_dirs, open_backend=opener)
        names = None
        if only is not None:
            everyone = detection.registry.names()
            names = [n for n in everyone if (n == ANALYTICS_DETECTOR) == (only == "analytics")]
        problems: list[str] = []
        if names is None or SigmaDetector.name in names:
            sigma = detection.detector(SigmaDetector.name)
            if isinstance(sigma, SigmaDetector):
                problems = [str(p) for p in sigma.all_rules.problems]
        return Hunt(detection.hunt(window, report_all=report_all, detectors=names), problems)

    def update_intel(
        self, files: Mapping[str, Path | None]
    ) -> tuple[list[IntelVersion], list[dict[str, Any]]]:
        """Install intel lists (None: back to the shipped default), rebuild the enrichment, and
        retro-hunt with the detectors that read them; the versions and the alerts raised."""
        from trailhound.analytics.detector import AnalyticsDetector
        from trailhound.intel.enrichment import update_lists

        installed = update_lists(self.data_dir, files)
        detection = self.detection()
        analytics = detection.detector(ANALYTICS_DETECTOR)
        if not isinstance(analytics, AnalyticsDetector):
            return installed, []
        return installed, detection.raise_matches(analytics, analytics.retro_hunt())

    def list_alerts(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        rule_id: str | None = None,
        principal: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Alerts, most recent activity first, a page at a time."""
        return self.alert_store.list_alerts(
            status=status,
            rule_id=rule_id,
            severity=severity,
            principal=principal,
            limit=limit,
            offset=offset,
        )

    def count_alerts(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        rule_id: str | None = None,
        principal: str | None = None,
    ) -> int:
        """How many alerts the same filters select (for "showing N of M")."""
        return self.alert_store.count_alerts(
            status=status, rule_id=rule_id, severity=severity, principal=principal
        )

    def get_alert(self, alert_id: str) -> dict[str, Any]:
        """One alert with its comment trail."""
        return self.alert_store.get(alert_id)

    def update_alert(
        self,
        alert_id: str,
        *,
        status: str | None = None,
        comment: str | None = None,
        author: str = "analyst",
    ) -> dict[str, Any]:
        """Change an alert's status and/or add a comment; the alert as it is now."""
        return self.alert_store.update(alert_id, status=status, comment=comment, author=author)

    @staticmethod
    def public_alert(alert: Mapping[str, Any]) -> dict[str, Any]:
        """What an alert shows outside (``incidents.alerts.public_alert``, for every door)."""
        from trailhound.incidents.alerts import public_alert

        return public_alert(alert)

    def rules(self, rule_dirs: Sequence[Path] = ()) -> RuleSet:
        """Every rule of the pack and the extra folders, and those that could not load."""
        from trailhound.detect.engine import load_rules

        return load_rules(list(self._rule_dirs(rule_dirs)))

    def coverage(self, rule_dirs: Sequence[Path] = ()) -> dict[str, Any]:
        """The ATT&CK matrix of the enabled rules, and which have fired."""
        from trailhound.detect.base import DetectorContext
        from trailhound.detect.coverage import build_coverage
        from trailhound.detect.rules_detector import SigmaDetector

        context = DetectorContext(self.data_dir, rule_dirs=self._rule_dirs(rule_dirs))
        sigma = SigmaDetector(context)
        return build_coverage(
            sigma.ruleset, self.alert_store.fired_rules(), self.alert_store.signal_counts()
        )

    def rule_states(self, rule_dirs: Sequence[Path] = ()) -> RuleStates:
        """Every rule as the rule detector sees it, with its enabled state and last firing."""
        from trailhound.detect.base import DetectorContext
        from trailhound.detect.rules_detector import SigmaDetector

        context = DetectorContext(self.data_dir, rule_dirs=self._rule_dirs(rule_dirs))
        sigma = SigmaDetector(context)
        enabled = {r.id for r in sigma.ruleset.rules} | {c.id for c in sigma.ruleset.correlations}
        return RuleStates(sigma.all_rules, frozenset(enabled), self.alert_store.last_fired())

    def switch_rule(self, wanted: str, enabled: bool) -> tuple[str, list[dict[str, Any]]]:
        """Enable (and retro-hunt with) or disable the rule named by its ID or readable name
        (file stem); its ID and the alerts the retro-hunt raised."""
        from trailhound.detect.rules_detector import SigmaDetector

        detection = self.detection()
        sigma = detection.detector(SigmaDetector.name)
        if not isinstance(sigma, SigmaDetector):
            raise TrailhoundError("the rule detector is not the built-in one")
        rule_id = sigma.all_rules.resolve(wanted)
        sigma.set_enabled(rule_id, enabled)
        return rule_id, detection.raise_matches(sigma, sigma.retro_hunt()) if enabled else []

    def set_rule_enabled(self, rule_id: str, enabled: bool) -> list[dict[str, Any]]:
        """Enable (and retro-hunt with) or disable a rule; the alerts the retro-hunt raised."""
        return self.switch_rule(rule_id, enabled)[1]

    # Incidents ---------------------------------------------------------------------------
    @cached_property
    def incident_store(self) -> IncidentStore:
        """The incidents, to read and triage (grouping writes them as alerts are recorded)."""
        from trailhound.incidents.store import IncidentStore

        return IncidentStore(self.state)

    def list_incidents(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        assignee: str | None = None,
        limit: int = 100,
        by_score: bool = False,
    ) -> list[dict[str, Any]]:
        """Incidents, most recent activity (or highest score) first, optionally filtered."""
        from trailhound.incidents.store import public

        found = self.incident_store.list(
            status=status, severity=severity, assignee=assignee, limit=limit, by_score=by_score
        )
        return [public(i) for i in found]

    def get_incident(self, incident_id: str) -> dict[str, Any]:
        """One incident with its alerts and comment trail (a unique ID prefix is enough)."""
        from trailhound.incidents.store import public

        incident = public(self.incident_store.get(incident_id))
        incident["alerts"] = [self.public_alert(a) for a in incident["alerts"]]
        return incident

    def update_incident(
        self,
        incident_id: str,
        *,
        status: str | None = None,
        assignee: str | None = None,
        comment: str | None = None,
        author: str = "analyst",
    ) -> dict[str, Any]:
        """Change an incident's status and/or assignee and/or add a comment; it as it is now."""
        updated = self.incident_store.update(
            incident_id, status=status, assignee=assignee, comment=comment, author=author
        )
        return self.get_incident(str(updated["id"]))

    def incident_graph(self, incident_id: str) -> Graph:
        """The incident's root-cause graph, built from the stored events."""
        from trailhound.incidents.graph import incident_graph

        return incident_graph(self.data_dir, incident_id)

    # Feedback: verdicts, precision, suppressions --------------------------------------------
    @cached_property
    def suppressions(self) -> SuppressionStore:
        """The suppressions analysts accepted (the alert store drops what they match)."""
        from trailhound.incidents.suppressions import SuppressionStore

        return SuppressionStore(self.state)

    def list_suppressions(self, *, active_only: bool = False) -> list[dict[str, Any]]:
        """Every suppression (or only the active ones), newest first, each marked ``active``."""
        return self.suppressions.list(active_only=active_only)

    def add_suppression(
        self, rule_id: str, field: str, value: str, *, days: int | None = 30, reason: str = "",
        author: str = "analyst",
    ) -> dict[str, Any]:  # fmt: skip
        """Stop alerting on ``rule_id``'s matches whose ``field`` is ``value`` for ``days``."""
        return self.suppressions.add(rule_id, field, value, days=days, reason=reason, author=author)

    def remove_suppression(self, suppression_id: str) -> None:
        """Remove a suppression: the rule alerts on those matches again."""
        self.suppressions.remove(suppression_id)

    def feedback(self) -> Feedback:
        """The verdicts so far: precision per rule and per detector, the noisiest actors and
        the suppressions worth suggesting."""
        from trailhound.incidents.feedback import (
            detector_precision,
            noisiest_actors,
            rule_precision,
            suggest_suppressions,
        )

        return Feedback(
            rules=rule_precision(self.state),
            detectors=detector_precision(self.state),
            noisiest=noisiest_actors(self.state),
            suggestions=suggest_suppressions(self.state),
        )

    # Settings ----------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        """A setting of the data directory as it may be shown (None when unset): an output's
        secret target (a webhook URL) masked; it is stored as given."""
        return _shown_setting(key, self.state.get_setting(key))

    def set_setting(self, key: str, value: str) -> str:
        """Store a setting, refusing a key or value that cannot work; the value stored.

        Raises ``SettingError`` for an unknown key or an account list that is not 12-digit AWS
        account IDs, ``DurationError`` for a bad duration and the output's own error for an
        output target it cannot write to.
        """
        from trailhound.durations import parse_duration
        from trailhound.incidents.outputs.base import build_output

        output = self._known_setting(key)
        if key in ("retro-hunt", "analytics-training", "incident-window") or (
            key == "intel-retro-hunt" and value.strip().lower() not in {"", "off", "none", "0"}
        ):
            parse_duration(value)
        if key == "org-accounts":
            accounts = [a.strip() for a in value.split(",") if a.strip()]
            bad = [a for a in accounts if not (len(a) == 12 and a.isdigit())]
            if bad or not accounts:
                shown = ", ".join(bad) or repr(value)
                raise SettingError(f"{key}: not a 12-digit AWS account ID: {shown}")
            value = ",".join(accounts)
        if output is not None and value:
            build_output(output, value, self.data_dir)
        self.state.set_setting(key, value)
        return _shown_setting(key, value) or ""

    @staticmethod
    def _known_setting(key: str) -> str | None:
        """The output a key names (None for the other settings); raises for an unknown key."""
        from trailhound.incidents.outputs.base import output_setting

        output = output_setting(key)
        if key not in SETTINGS and output is None:
            known = ", ".join([*SETTINGS, "output.<name>"])
            raise SettingError(f"unknown setting {key!r}: use one of {known}")
        return output

    def list_settings(self) -> dict[str, str | None]:
        """Every setting set, and each known one (None when unset), by key; secrets masked."""
        from trailhound.incidents.outputs.base import output_setting

        shown: dict[str, str | None] = {
            key: _shown_setting(key, value)
            for key, value in self.state.settings().items()
            if key in SETTINGS or output_setting(key) is not None
        }
        for key in SETTINGS:
            shown.setdefault(key, None)
        return dict(sorted(shown.items()))

    def unset_setting(self, key: str) -> bool:
        """Remove a setting (its default applies again); whether it was set."""
        self._known_setting(key)
        return self.state.delete_setting(key)

    # AWS integrations and collection -----------------------------------------------------
    @cached_property
    def integrations(self) -> IntegrationStore:
        """The AWS integrations (queues), their counters and poison objects."""
        from trailhound.store.integrations import IntegrationStore

        return IntegrationStore(self.state)

    def test_integration(self, name: str, bucket: str | None = None) -> ConnectionReport:
        """Check an integration's credentials, queue, notification route and a log object."""
        from trailhound.sources.aws.connection_test import check_connection

        return check_connection(self.integrations.get(name), bucket=bucket)

    def collectable(self, names: Sequence[str] = ()) -> list[Integration]:
        """The integrations named, or every one whose state lets it be collected."""
        from trailhound.sources.aws.integrations import COLLECTABLE

        store = self.integrations
        if names:
            return [store.get(name) for name in names]
        return [i for i in store.list_integrations() if i.state in COLLECTABLE]

    def collect(
        self,
        integrations: Sequence[Integration],
        *,
        once: bool = False,
        options: CollectorOptions | None = None,
        stop: threading.Event | None = None,
        detect: bool = True,
    ) -> dict[str, CollectSummary]:
        """Collect the integrations' queues through the ingest loop, detecting on every batch
        (unless ``detect`` is off), until ``stop`` is set (or, with ``once``, until the queues
        are empty)."""
        from trailhound.collect import collect

        return collect(
            self.data_dir,
            integrations,
            once=once,
            options=options,
            stop=stop,
            detection=self.detection() if detect else None,
        )

    def collect_each(
        self,
        integrations: Sequence[Integration],
        *,
        once: bool = False,
        options: CollectorOptions | None = None,
        stop: threading.Event | None = None,
        on_status: Callable[[list[IntegrationRun]], None] | None = None,
        status_seconds: float | None = None,
    ) -> CollectReport:
        """Collect each integration on its own thread and backoff, detecting on every batch;
        per integration, what it collected and its last error (``on_status`` gets a status
        line per integration every ``status_seconds``)."""
        from trailhound.collect import STATUS_SECONDS, run_collect

        return run_collect(
            self.data_dir,
            integrations,
            once=once,
            options=options,
            stop=stop,
            detection=self.detection(),
            on_status=on_status,
            status_seconds=STATUS_SECONDS if status_seconds is None else status_seconds,
        )

    # The ledger --------------------------------------------------------------------------
    def check_ledger(
        self,
        digest_roots: Sequence[Path] = (),
        *,
        public_keys: bytes | None = None,
        since: timedelta | None = None,
        account: str | None = None,
        late_after: timedelta | None = None,
        silence: timedelta | None = None,
        raise_alerts: bool = True,
    ) -> LedgerCheck:
        """Check the log files ingested against the digests (the collector's and those under
        ``digest_roots``); ``public_keys`` (a saved ``list-public-keys`` output) are kept for
        later checks. Tampering and silence become alerts through the completeness detector."""
        from trailhound.detect.completeness import CompletenessDetector, finding_matches
        from trailhound.detect.ledger import check, save_public_keys, saved_public_keys
        from trailhound.sources.digests import load_public_keys

        roots = [self.data_dir.root / "digests", *digest_roots]
        given = load_public_keys(public_keys) if public_keys is not None else []
        saved = save_public_keys(self.data_dir, given)
        report = check(
            self.data_dir,
            [root for root in roots if root.exists()],
            public_keys=saved_public_keys(self.data_dir) or given,
            since=datetime.now(UTC) - since if since is not None else None,
            account=account,
            late_after=late_after,
            silence_threshold=silence,
        )
        raised = 0
        if raise_alerts:
            detection = self.detection()
            detector = detection.detector(CompletenessDetector.name)
            raised = len(detection.raise_matches(detector, finding_matches(report.findings)))
        return LedgerCheck(report, raised, saved)


def _shown_setting(key: str, value: str | None) -> str | None:
    """A setting's value as a list or an answer may show it: an output's target masked."""
    from trailhound.incidents.outputs.base import output_setting, shown_target

    output = output_setting(key)
    return shown_target(output, value) if output is not None and value else value


def _run_plan(engine: QueryEngine, plan: QueryPlan, max_rows: int | None) -> QueryOutcome:
    """Run a plan: at most ``max_rows`` rows of a query without its own limit, and its count
    when cut; every row otherwise."""
    if plan.first_sql is None or plan.count_sql is None or max_rows is None:
        columns, rows = engine.execute(plan.sql, tables=plan.tables)
        return QueryOutcome(columns, rows)
    columns, rows = engine.execute(plan.first_sql, tables=plan.tables)
    if len(rows) <= max_rows:
        return QueryOutcome(columns, rows)
    total = int(engine.execute(plan.count_sql, tables=plan.tables)[1][0][0])
    return QueryOutcome(columns, rows[:max_rows], total=total)
