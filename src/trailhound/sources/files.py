"""Find CloudTrail files on disk and tell what each one is from its name.

Symbolic links found inside an input folder are never followed, to files or to folders: each is
skipped and counted (``SkipReason.SYMLINK``), so that a link planted in a synced log folder
cannot pull a file from elsewhere (a credentials file) into the store, not even as a quarantine
excerpt. A path named on the command line is the user's choice and is read even if it is a link.
Files are opened without following a link (``read_file``), in case one replaces a file between
discovery and reading.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from trailhound.model import InputFormat, SkipReason, SourceFile

# AWSLogs/<account>/… or, for an organization trail, AWSLogs/<org-id>/<account>/…
_ACCOUNT_IN_PATH = re.compile(r"AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/")
_READ_CHUNK = 4 * 1024 * 1024
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


def _walk(root: Path) -> tuple[list[Path], list[Path]]:
    """The regular files under ``root`` and the symbolic links met, neither followed."""
    files: list[Path] = []
    links: list[Path] = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # vanished or unreadable: nothing to ingest from it
        for entry in entries:
            path = folder / entry.name
            if entry.is_symlink():
                links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif entry.is_file(follow_symlinks=False):
                files.append(path)
    return sorted(files), sorted(links)


def discover(paths: Iterable[Path]) -> Iterator[SourceFile | tuple[Path, SkipReason]]:
    """Every file under ``paths`` (recursively), classified; skipped ones with their reason."""
    for root in paths:
        if root.is_file():
            candidates = [root]
        else:
            candidates, links = _walk(root)
            for link in links:
                yield link, SkipReason.SYMLINK
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
                # A link named explicitly is read at its target (``read_file`` follows none).
                path=path.resolve() if path.is_symlink() else path,
                size=stat.st_size,
                mtime=stat.st_mtime,
                format=kind,
                account_hint=account_from_path(str(path)),
            )


def read_file(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a file, opened without following a symbolic link.

    Read in chunks: ``read(limit + 1)`` would allocate the whole limit up front, per file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    chunks: list[bytes] = []
    left = limit + 1
    with os.fdopen(fd, "rb", buffering=0) as file:
        while left > 0 and (chunk := file.read(min(left, _READ_CHUNK))):
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)
