"""The small set of types the pipeline stages share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path


class InputFormat(StrEnum):
    """What a file's name says about its shape; the rest is sniffed from its content.

    ``UNKNOWN`` files may hold a JSON array of records, ``lookup-events`` output, CloudTrail Lake
    query results, a single record or JSON lines: ``sources.decode`` tells them apart.
    """

    CLOUDTRAIL_FILE = "cloudtrail"  # {"Records": [...]} as delivered to S3
    INSIGHT_FILE = "insight"  # the same envelope, Insights events
    JSON_LINES = "jsonl"  # one record per line
    UNKNOWN = "unknown"  # sniffed at read time


class SkipReason(StrEnum):
    """Why a file was deliberately not parsed as events."""

    DIGEST = "digest file"
    WRITABILITY_CHECK = "ConfigWritabilityCheckFile"
    ALREADY_INGESTED = "already ingested"
    NOT_JSON = "not a log file"
    SYMLINK = "symbolic link"  # inside an input folder: never followed out of it


@dataclass(frozen=True, slots=True)
class RecordLimits:
    """How large one record and one object may be (see ``normalize.limits``)."""

    max_records: int = 250_000  # per object; CloudTrail's own files hold far fewer
    max_keys: int = 10_000  # per record, every level; CloudTrail caps an event at 256 KB
    max_depth: int = 64  # nesting levels; real records nest about a dozen


DEFAULT_LIMITS = RecordLimits()


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file (or object) to ingest, with the identity used to skip it when seen before."""

    uri: str  # what the ledger and quarantine call it: a path, or s3://bucket/key
    path: Path  # where the bytes are on local disk
    size: int
    mtime: float  # seconds since the epoch; the object's ETag hash stands in for S3
    format: InputFormat
    account_hint: str | None = None  # the account in an AWSLogs/… path
    # Of the uncompressed content, when the source took it (the SQS source does, while the
    # download is on disk); the completeness ledger compares it with the digests.
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Blob:
    """An object held in memory (standard input, a pushed batch): never in the file ledger."""

    name: str  # what the quarantine and the events' ``source_object`` call it
    data: bytes
    format: InputFormat = InputFormat.UNKNOWN
    account_hint: str | None = None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read, before normalization: its JSON text and where it came from."""

    source: str
    index: int
    json: bytes


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A file or record that could not be ingested, with why and where."""

    source: str
    position: int | None  # record index, line number or byte offset; None for a whole file
    reason: str
    excerpt: str = ""  # the start of the offending input, for the analyst


@dataclass(slots=True)
class IngestSummary:
    """What one ingest run did, counted."""

    files: int = 0
    files_skipped: Counter[str] = field(default_factory=Counter)
    records: int = 0
    events_written: int = 0
    duplicates: int = 0
    quarantined: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    started_at: datetime | None = None
    # Seconds per stage of the run, summed over its threads (``stage_clock``).
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # The counts of each object held in memory (a pushed body), by blob name: a batch of several
    # pushes is committed at once, and each push is answered with its own counts.
    objects: dict[str, IngestSummary] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        """Records processed per second of wall time."""
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def merge(self, other: IngestSummary) -> None:
        """Add another summary's counts to this one."""
        self.files += other.files
        self.files_skipped.update(other.files_skipped)
        self.records += other.records
        self.events_written += other.events_written
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.bytes_read += other.bytes_read
        for stage, seconds in other.stage_seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds
        for name, counts in other.objects.items():
            self.objects.setdefault(name, IngestSummary()).merge(counts)


@dataclass(frozen=True, slots=True)
class RawBatch:
    """What a source hands the ingest loop at a time; acknowledged as a whole once durable."""

    files: tuple[SourceFile, ...] = ()  # local files (DuckDB's reader takes CloudTrail's own)
    blobs: tuple[Blob, ...] = ()  # objects held in memory, read by the careful reader
    skipped: Counter[str] = field(default_factory=Counter)  # not read, by reason (digests, …)
    token: object = None  # the source's own bookkeeping; the loop never looks at it


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What became of a raw batch: the source's cue to delete, retry or report.

    Every file and blob of the batch is stored (its events in the lake, its damage in
    quarantine, the file in the ledger) unless ``failed`` names it with the reason.
    """

    summary: IngestSummary
    failed: Mapping[str, str] = field(default_factory=dict)  # uri or blob name → reason
    error: BaseException | None = None  # the failure behind ``failed``, for a caller to raise

    def stored(self, name: str) -> bool:
        """Whether the file (uri) or blob (name) is durably stored."""
        return name not in self.failed


# A rule's deduplication period: matches with the same grouping key less than this apart are
# one alert (``incidents.alerts``).
DEFAULT_SUPPRESSION = timedelta(minutes=60)
# What an alert groups its matches by unless the rule says otherwise: the identity that acted
# (an assumed role's issuing role, not its session) in the account where it acted.
DEFAULT_GROUP_BY: tuple[str, ...] = ("principal", "account")


@dataclass(frozen=True, slots=True)
class Match:
    """One event matched by one rule (or detector): what every detector produces."""

    rule_id: str
    event_id: str
    event_time: datetime
    actor: str | None
    account: str | None
    region: str | None
    source_ip: str | None
    resource: str | None
    # The identity behind ``actor``: an assumed role's issuing role ARN, the user's ARN, root;
    # None falls back to ``actor``. ``session`` is an assumed role's session name.
    principal: str | None = None
    session: str | None = None
    group: str | None = None  # the grouping key, when the detector computed it itself


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What an alert copies from the rule or detector that raised it."""

    title: str
    severity: str
    tactics: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    suppression: timedelta = DEFAULT_SUPPRESSION  # the deduplication period
    source: str = "rule"
    # Match fields an alert groups by (``principal``, ``actor``, ``session``, ``account``,
    # ``region``, ``source_ip``, ``resource``); a rule may name event fields, which the rule
    # engine resolves into ``Match.group``.
    group_by: tuple[str, ...] = DEFAULT_GROUP_BY
    threshold: int = 1  # matching events within the period before an alert is raised
    signal: bool = False  # stored as a signal; alerts only through a threshold or correlation
