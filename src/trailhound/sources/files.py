"""Find CloudTrail files on disk and tell what each one is from its name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from trailhound.model import InputFormat, SkipReason, SourceFile

# AWSLogs/<account>/… or, for an organization trail, AWSLogs/<org-id>/<account>/…
_ACCOUNT_IN_PATH = re.compile(r"AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/")
_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".gz", ".log")


def account_from_path(path: str) -> str | None:
    """The account ID in an ``AWSLogs/…`` path, if any.

    >>> account_from_path("x/AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/f.json.gz")
    '111122223333'
    """
    match = _ACCOUNT_IN_PATH.search(path.replace("\\", "/"))
    return match.group(1) if match else None


def classify_name(name: str) -> InputFormat | SkipReason:
    """What a file is, from its path: a log format to read, or a reason to skip it."""
    normalized = name.replace("\\", "/")
    base = normalized.rsplit("/", 1)[-1]
    if "ConfigWritabilityCheckFile" in base:
        return SkipReason.WRITABILITY_CHECK
    if "_CloudTrail-Digest_" in base or "/CloudTrail-Digest/" in normalized:
        return SkipReason.DIGEST
    if "_CloudTrail-Insight_" in base or "/CloudTrail-Insight/" in normalized:
        return InputFormat.INSIGHT_FILE
    if "_CloudTrail_" in base:
        return InputFormat.CLOUDTRAIL_FILE
    if base.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        return InputFormat.JSON_LINES
    if base.endswith(_SUFFIXES):
        return InputFormat.UNKNOWN
    return SkipReason.NOT_JSON


def discover(paths: Iterable[Path]) -> Iterator[SourceFile | tuple[Path, SkipReason]]:
    """Every file under ``paths`` (recursively), classified; skipped ones with their reason."""
    for root in paths:
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in candidates:
            kind = classify_name(str(path))
            if isinstance(kind, SkipReason):
                # A file named explicitly is read whatever its name, unless it is a digest/check.
                if path == root and kind is SkipReason.NOT_JSON:
                    kind = InputFormat.UNKNOWN
                else:
                    yield path, kind
                    continue
            stat = path.stat()
            yield SourceFile(
                uri=str(path),
                path=path,
                size=stat.st_size,
                mtime=stat.st_mtime,
                format=kind,
                account_hint=account_from_path(str(path)),
            )
