"""THE parser of CloudTrail object names: what a key or a path says before a byte is read.

CloudTrail writes under ``AWSLogs/[<org id>/]<account>/<folder>/<region>/YYYY/MM/DD/``:

- a log file: ``<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz``;
- an Insights file: ``<account>_CloudTrail-Insight_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz``;
- a digest: ``<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHmmssZ>``
  ``.json.gz`` (under ``CloudTrail-Digest/``);
- ``ConfigWritabilityCheckFile``, written when a trail checks that it may write.

The kind is told generously (a file whose name holds ``_CloudTrail_`` is read as a log file);
the account, region, time and trail only from a name that follows the pattern exactly, so that a
renamed or hostile file never lands in the completeness ledger under made-up values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from trailhound.model import InputFormat, SkipReason

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
# AWSLogs/<account>/… or, for an organization trail, AWSLogs/<org-id>/<account>/…
_PATH = re.compile(r"AWSLogs/(?:(?P<org>o-[a-z0-9]{10,32})/)?(?P<account>\d{12})/")
_LOG = re.compile(
    rf"(?P<account>\d{{12}})_CloudTrail(?P<insight>-Insight)?_(?P<region>{_REGION})_"
    r"(?P<stamp>\d{8}T\d{4}Z)_[A-Za-z0-9]+\.json(?:\.gz)?$"
)
_DIGEST = re.compile(
    rf"(?P<account>\d{{12}})_CloudTrail-Digest_(?P<region>{_REGION})_"
    rf"(?P<trail>.+)_(?P<home>{_REGION})_(?P<stamp>\d{{8}}T\d{{6}}Z)\.json(?:\.gz)?$"
)
_JSON_LINES = (".jsonl", ".jsonl.gz", ".ndjson")
_JSON_SUFFIXES = (".json", ".json.gz", *_JSON_LINES, ".gz", ".log")


class ObjectKind(StrEnum):
    """What CloudTrail wrote, from the name alone."""

    LOG = "log"
    INSIGHT = "insight"
    DIGEST = "digest"
    WRITABILITY_CHECK = "writability-check"
    OTHER = "other"  # not named by CloudTrail: an export, JSON lines, anything else


@dataclass(frozen=True, slots=True)
class ObjectName:
    """Everything a CloudTrail object's key (or a file's path) says."""

    path: str  # as given, separators made ``/``
    kind: ObjectKind
    account: str | None = None  # from the file name
    region: str | None = None  # from the file name
    timestamp: datetime | None = None  # delivery minute (log, insight) or digest end time
    trail: str | None = None  # digest only: ``<trail name>@<home region>``
    path_account: str | None = None  # the account folder of an ``AWSLogs/…`` path
    org_id: str | None = None  # ``o-…`` in an organization trail's path

    @property
    def base(self) -> str:
        """The file name: the last segment of the path."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def hour(self) -> datetime | None:
        """The hour of ``timestamp``."""
        return None if self.timestamp is None else self.timestamp.replace(minute=0, second=0)

    @property
    def input_format(self) -> InputFormat | SkipReason:
        """How ingest reads the object, or why it does not."""
        if self.kind is ObjectKind.WRITABILITY_CHECK:
            return SkipReason.WRITABILITY_CHECK
        if self.kind is ObjectKind.DIGEST:
            return SkipReason.DIGEST
        if self.kind is ObjectKind.INSIGHT:
            return InputFormat.INSIGHT_FILE
        if self.kind is ObjectKind.LOG:
            return InputFormat.CLOUDTRAIL_FILE
        if self.base.endswith(_JSON_LINES):
            return InputFormat.JSON_LINES
        if self.base.endswith(_JSON_SUFFIXES):
            return InputFormat.UNKNOWN
        return SkipReason.NOT_JSON

    @property
    def is_log_file(self) -> bool:
        """Whether this is a log file by the exact pattern: what a digest lists."""
        return self.kind is ObjectKind.LOG and self.timestamp is not None


def _kind(path: str, base: str) -> ObjectKind:
    if "ConfigWritabilityCheckFile" in base:
        return ObjectKind.WRITABILITY_CHECK
    if "_CloudTrail-Digest_" in base or "/CloudTrail-Digest/" in path:
        return ObjectKind.DIGEST
    if "_CloudTrail-Insight_" in base or "/CloudTrail-Insight/" in path:
        return ObjectKind.INSIGHT
    if "_CloudTrail_" in base:
        return ObjectKind.LOG
    return ObjectKind.OTHER


def parse_name(name: str) -> ObjectName:
    """What a CloudTrail key, path or ``s3://`` URI says about the object.

    >>> log = parse_name(
    ...     "AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2026/11/01/"
    ...     "111122223333_CloudTrail_eu-west-1_20261101T1005Z_a1.json.gz"
    ... )
    >>> log.kind.value, log.account, log.org_id, log.region, log.hour.isoformat()
    ('log', '111122223333', 'o-abcdefghij', 'eu-west-1', '2026-11-01T10:00:00+00:00')
    >>> digest = parse_name(
    ...     "111122223333_CloudTrail-Digest_us-east-1_t_eu-west-1_20261101T100000Z.json.gz"
    ... )
    >>> digest.kind.value, digest.region, digest.trail
    ('digest', 'us-east-1', 't@eu-west-1')
    >>> parse_name("exports/events.jsonl").input_format.value
    'jsonl'
    """
    path = name.replace("\\", "/")
    base = path.rsplit("/", 1)[-1]
    kind = _kind(path, base)
    where = _PATH.search(path)
    parsed = ObjectName(
        path,
        kind,
        path_account=where["account"] if where else None,
        org_id=where["org"] if where else None,
    )
    if kind in (ObjectKind.LOG, ObjectKind.INSIGHT):
        log = _LOG.search(base)
        if log is not None and bool(log["insight"]) is (kind is ObjectKind.INSIGHT):
            stamp = datetime.strptime(log["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
            return replace(parsed, account=log["account"], region=log["region"], timestamp=stamp)
    elif kind is ObjectKind.DIGEST:
        digest = _DIGEST.search(base)
        if digest is not None:
            stamp = datetime.strptime(digest["stamp"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            trail = f"{digest['trail']}@{digest['home']}"
            return replace(
                parsed,
                account=digest["account"],
                region=digest["region"],
                timestamp=stamp,
                trail=trail,
            )
    return parsed
