"""The extension points of detection: detectors, and the rule formats the rule detector reads.

A **detector** (the Sigma rule set, the completeness ledger's checks, each behavioural analytic)
turns events into :class:`~trailhound.model.Match` es: on every batch ingest commits
(``on_batch``), once at the end of an ingest call (``finish``) and over history (``hunt``).
It is built with a :class:`DetectorContext` and never stores anything itself: whoever runs it
(:class:`~trailhound.detect.detection.Detection`) records its matches as alerts. Detectors are
registered in ``DETECTORS`` by name, built-ins exactly as a third party would be: by an entry
point of the group ``trailhound.detectors`` (``pyproject.toml``), and here, lazily, so that a
source checkout that was never installed still has them::

    [project.entry-points."trailhound.detectors"]
    tor = "my_package.tor:TorExitDetector"

A **rule format** (Sigma today) is a class with a ``name``, the file ``suffixes`` it reads and a
``load_file`` method, registered in ``RULE_FORMATS`` (group ``trailhound.rule_formats``) the
same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from sqlglot import exp

from trailhound.data_dir import DataDir
from trailhound.errors import DetectError
from trailhound.model import DEFAULT_GROUP_BY, DEFAULT_SUPPRESSION, Match, RuleInfo
from trailhound.registry import Registry

if TYPE_CHECKING:
    import duckdb

    from trailhound.store.base import Backend

LEVELS: tuple[str, ...] = ("informational", "low", "medium", "high", "critical")
Placeholders = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """A rule that could not be loaded or compiled: where, and why."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class DetectionRule:
    """One single-event rule compiled to a boolean expression over the ``cloudtrail`` columns."""

    id: str
    title: str
    level: str
    predicate: exp.Expression
    path: str
    line: int = 1
    description: str = ""
    investigation: str = ""
    tactics: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    builtin: bool = False
    generate: bool = True  # False for a rule that only feeds a correlation
    name: str | None = None
    resource: exp.Expression | None = None  # the main resource, for the suppression key
    suppression: timedelta = DEFAULT_SUPPRESSION  # the deduplication period
    tests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    alert_group_by: tuple[str, ...] = DEFAULT_GROUP_BY  # what one alert is about
    group: exp.Expression | None = None  # the key, where it names event fields (grouping.py)
    threshold: int = 1  # matching events within the period before an alert is raised
    signal: bool = False  # context, not action: stored as a signal, alerting only by threshold
    recompile: Callable[[Placeholders], exp.Expression] | None = None  # uses placeholders
    source: Any = None  # the parsed rule of the format, for reference evaluation

    def info(self) -> RuleInfo:
        """What an alert (or signal) of this rule copies from it."""
        return RuleInfo(
            self.title,
            self.level,
            self.tactics,
            self.techniques,
            self.suppression,
            group_by=self.alert_group_by,
            threshold=self.threshold,
            signal=self.signal,
        )


@dataclass(slots=True)
class CorrelationRule:
    """A rule over the matches of other rules: counts, distinct values or sequences in a window."""

    id: str
    title: str
    level: str
    kind: str  # event_count, value_count, temporal, temporal_ordered
    rule_ids: tuple[str, ...]
    group_by: tuple[exp.Expression, ...]
    group_by_names: tuple[str, ...]
    timespan: timedelta
    operator: str  # gt, gte, lt, lte, eq, neq
    count: int
    path: str
    line: int = 1
    value_field: exp.Expression | None = None
    generate: bool = False  # whether the referenced rules also alert on their own
    description: str = ""
    investigation: str = ""
    tactics: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    builtin: bool = False
    suppression: timedelta = DEFAULT_SUPPRESSION
    tests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    alert_group_by: tuple[str, ...] = DEFAULT_GROUP_BY
    threshold: int = 1
    signal: bool = False

    def info(self) -> RuleInfo:
        """What an alert of this correlation copies from it."""
        return RuleInfo(
            self.title,
            self.level,
            self.tactics,
            self.techniques,
            self.suppression,
            group_by=self.alert_group_by,
            threshold=self.threshold,
            signal=self.signal,
        )


class SqlCache(Protocol):
    """Where a rule set's scan SQL is kept between processes (``detect.rule_cache``)."""

    def sql(self, parts: Iterable[object]) -> tuple[str, str | None]:
        """The entry name of ``parts`` and its kept SQL, if any."""
        ...

    def store_sql(self, name: str, sql: str) -> None:
        """Keep ``sql`` under the entry ``name``."""
        ...


@dataclass(slots=True)
class RuleSet:
    """Rules loaded from files, with the problems met on the way."""

    rules: list[DetectionRule] = field(default_factory=list)
    correlations: list[CorrelationRule] = field(default_factory=list)
    problems: list[RuleProblem] = field(default_factory=list)
    sql_cache: dict[tuple[object, ...], str] = field(default_factory=dict, repr=False)
    fingerprint: str = ""  # of the rule files and compiler, when loaded through a cache
    cache: SqlCache | None = field(default=None, repr=False, compare=False)

    def extend(self, other: RuleSet) -> None:
        """Add another set's rules and problems to this one."""
        self.rules += other.rules
        self.correlations += other.correlations
        self.problems += other.problems

    def alerting_ids(self) -> list[str]:
        """IDs of every rule that raises alerts."""
        ids = [r.id for r in self.rules if r.generate]
        return ids + [c.id for c in self.correlations]

    def resolve(self, wanted: str) -> str:
        """The ID of the alerting rule ``wanted`` names: its ID or its readable name."""
        alerting = set(self.alerting_ids())
        if wanted in alerting:
            return wanted
        found = {r.id for r in self.rules if r.id in alerting and rule_name(r) == wanted}
        found |= {c.id for c in self.correlations if c.id in alerting and rule_name(c) == wanted}
        if len(found) == 1:
            return found.pop()
        if found:
            raise DetectError(f"{len(found)} rules are named {wanted!r}: use the rule's ID")
        raise DetectError(f"no rule {wanted!r}: see trailhound rules list")


def rule_name(rule: DetectionRule | CorrelationRule) -> str:
    """A rule's readable name: its file's stem (``aws_cloudtrail_disable_logging``)."""
    return Path(rule.path).stem if rule.path else rule.id


class RuleFormat(Protocol):
    """A rule language trailhound can load; built with ``keep_source`` (keep each parsed rule
    on its DetectionRule, for reference evaluation)."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def __init__(self, *, keep_source: bool = False) -> None: ...

    def load_file(self, path: Path, *, builtin: bool = False) -> RuleSet:
        """Load and compile every rule in one file, collecting problems."""
        ...


RULE_FORMATS: Registry[type[RuleFormat]] = Registry("rule format", group="trailhound.rule_formats")
RULE_FORMATS.register_lazy("sigma", "trailhound.detect.sigma.loader:SigmaFormat")


def split_tags(tags: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ATT&CK tactics and technique IDs from tags such as ``attack.t1562.008``.

    >>> split_tags(["attack.defense-evasion", "attack.t1562.008", "cve.2024"])
    (('defense-evasion',), ('T1562.008',))
    """
    tactics: list[str] = []
    techniques: list[str] = []
    for tag in tags:
        namespace, _, name = tag.partition(".")
        if namespace != "attack" or not name:
            continue
        if name[0] in "tT" and name[1:2].isdigit():
            techniques.append(name.upper())
        elif not (name[0] in "gGsS" and name[1:2].isdigit()):
            tactics.append(name.lower())
    return tuple(tactics), tuple(techniques)


@dataclass(frozen=True, slots=True)
class BatchContext:
    """A batch ingest has just committed to the lake, as detectors see it.

    ``con`` is the ingest's DuckDB connection and ``relation`` the name of the table (or view)
    holding exactly the batch's new events, with the ``cloudtrail`` columns; valid only during
    the call.
    """

    con: duckdb.DuckDBPyConnection
    relation: str
    first_time: datetime | None = None
    last_time: datetime | None = None
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DetectorContext:
    """What a detector is built with: the data directory and the options of this run.

    ``open_backend`` opens the store backend hunts read the lake through (DuckDB over the data
    directory when None); ``run_started`` is when the ingest call that runs the detector began.
    """

    data_dir: DataDir
    rule_dirs: tuple[Path, ...] = ()
    run_started: datetime | None = None
    open_backend: Callable[[], Backend] | None = None

    def backend(self) -> Backend:
        """A backend over the lake as it is now; the caller closes it."""
        if self.open_backend is not None:
            return self.open_backend()
        from trailhound.store.duckdb import DuckDBBackend

        return DuckDBBackend.open(self.data_dir)


class Detector(Protocol):
    """Something that raises matches: a rule set, the ledger's checks, an analytic."""

    name: ClassVar[str]

    def __init__(self, context: DetectorContext) -> None: ...

    def infos(self) -> Mapping[str, RuleInfo]:
        """What each alert copies from the rule (by rule ID) that raised it."""
        ...

    def on_batch(self, batch: BatchContext) -> Sequence[Match]:
        """Matches among a committed batch's events."""
        ...

    def finish(self) -> Sequence[Match]:
        """Matches due once per ingest call (correlations over the windows batches touched)."""
        ...

    def hunt(
        self, backend: Backend, since: timedelta | None, only: set[str] | None = None
    ) -> Sequence[Match]:
        """Matches over the stored events of the last ``since`` (None: all), optionally only
        for the given rule IDs."""
        ...


@runtime_checkable
class ExplainingDetector(Protocol):
    """A detector that says why its alerts were raised (the analytics): after its matches are
    recorded, it writes each new alert's ``explanation`` and returns them by alert ID."""

    def explain(self, alerts: Sequence[Mapping[str, Any]]) -> Mapping[str, str]:
        """Fill in the explanation of those of ``alerts`` that are its own and have none."""
        ...


@runtime_checkable
class PartedDetector(Protocol):
    """A detector that hunts in parts (the rule set: a day of the lake at a time), so that a hunt
    holds one part's matches at a time; each part's are recorded before the next is found, and
    together they are what ``hunt`` returns."""

    def hunt_parts(
        self, backend: Backend, since: timedelta | None, only: set[str] | None = None
    ) -> Iterator[Sequence[Match]]:
        """``hunt``'s matches, a part at a time."""
        ...


class RecordedAlerts(Protocol):
    """What recording matches did to the alerts (each alert a mapping of its columns)."""

    @property
    def changed(self) -> list[dict[str, Any]]:
        """Alerts created or grown."""
        ...

    @property
    def touched(self) -> list[dict[str, Any]]:
        """Every alert the matches belong to, stored before or not."""
        ...


class AlertSink(Protocol):
    """Where detection hands its matches: the alert store (``incidents.alerts.AlertStore``),
    which lives in a later stage and is given to ``Detection`` by whoever wires it."""

    def record(self, matches: Sequence[Match], rules: Mapping[str, RuleInfo]) -> RecordedAlerts:
        """Turn matches into alerts, with what each copies from its rule."""


class BatchObserver(Protocol):
    """What the ingest loop tells about the batches it commits: detection, as its caller wires it.

    ``on_batch`` runs after each batch is in the lake (one batch at a time), ``finish`` once per
    ingest call (after every batch of a source that runs until stopped). The implementation runs
    the detectors and hands their matches to the alert store.
    """

    def on_batch(self, batch: BatchContext) -> None:
        """A batch has just been committed."""
        ...

    def finish(self) -> None:
        """The ingest call is over: work due once (correlations over the windows touched)."""
        ...


DETECTORS: Registry[type[Detector]] = Registry("detector", group="trailhound.detectors")
DETECTORS.register_lazy("sigma", "trailhound.detect.rules_detector:SigmaDetector")
DETECTORS.register_lazy("completeness", "trailhound.detect.completeness:CompletenessDetector")
DETECTORS.register_lazy("analytics", "trailhound.analytics.detector:AnalyticsDetector")
