"""The small set of types the pipeline stages share."""

from __future__ import annotations

from collections import Counter
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
class SourceFile:
    """A file (or object) to ingest, with the identity used to skip it when seen before."""

    uri: str  # what the ledger and quarantine call it: a path, or s3://bucket/key
    path: Path  # where the bytes are on local disk
    size: int
    mtime: float  # seconds since the epoch; the object's ETag hash stands in for S3
    format: InputFormat
    account_hint: str | None = None  # the account in an AWSLogs/… path


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


DEFAULT_SUPPRESSION = timedelta(days=1)


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


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What an alert copies from the rule or detector that raised it."""

    title: str
    severity: str
    tactics: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    suppression: timedelta = DEFAULT_SUPPRESSION
    source: str = "rule"
