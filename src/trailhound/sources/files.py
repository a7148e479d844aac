"""Files on disk as a source: find CloudTrail files, tell what each is from its name, batch them.

``FileSource`` walks the paths it is given, skips what its name says is no log (digests,
writability checks, other files: ``sources.names``) and what the ingest ledger already holds
with the same size and mtime, and hands the rest to the ingest loop in batches of about
``batch_bytes`` (DuckDB reads CloudTrail's own files straight from disk). Digest files are not
read as logs, but handed to the loop (``SourceContext.keep_digest``), which keeps a copy for the
ledger.

Symbolic links found inside an input folder are never followed, to files or to folders: each is
skipped and counted (``SkipReason.SYMLINK``), so that a link planted in a synced log folder
cannot pull a file from elsewhere (a credentials file) into the store, not even as a quarantine
excerpt. A path named on the command line is the user's choice and is read even if it is a link.
Files are opened without following a link (``read_file``), in case one replaces a file between
discovery and reading.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from trailhound.model import BatchOutcome, InputFormat, RawBatch, SkipReason, SourceFile
from trailhound.sources.base import SourceContext, in_batches
from trailhound.sources.names import parse_name

logger = logging.getLogger(__name__)

_READ_CHUNK = 4 * 1024 * 1024


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
            name = parse_name(str(path))
            kind = name.input_format
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
                account_hint=name.path_account,
            )


def in_delivery_order(files: Sequence[SourceFile]) -> list[SourceFile]:
    """CloudTrail log files by account, then delivery time (across regions), then name; any
    other file after them, in the order given.

    A folder tree lists an account's files region by region, so a batch in that order spans
    every day of one region: it writes a small file into each day's partition, and its
    time span covers whole days. In delivery order a batch holds an account's few hours in
    every region: fewer, larger files, and a span that the dedupe index narrows down to.
    """

    def key(item: tuple[int, SourceFile]) -> tuple[int, str, str, int]:
        n, file = item
        name = parse_name(file.uri)
        if name.timestamp is None or name.account is None:
            return (1, "", "", n)
        return (0, name.account, name.timestamp.isoformat(), n)

    return [file for _, file in sorted(enumerate(files), key=key)]


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


class FileSource:
    """Files and folders on disk; those the ingest ledger holds unchanged are skipped."""

    name: ClassVar[str] = "files"
    continuous: ClassVar[bool] = False

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._listed: list[SourceFile] | None = None

    @classmethod
    def listed(cls, files: Sequence[SourceFile]) -> FileSource:
        """Exactly ``files``, found before: read whether the ledger holds them or not."""
        source = cls(())
        source._listed = list(files)
        return source

    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        """The files to read in batches; the first batch also counts what was skipped."""
        skipped: Counter[str] = Counter()
        fresh: list[SourceFile] = []
        if self._listed is not None:
            fresh = self._listed
        else:
            found: list[SourceFile] = []
            for item in discover(self.paths):
                if isinstance(item, SourceFile):
                    found.append(item)
                else:
                    skipped[item[1].value] += 1
                    logger.debug("skipped %s: %s", item[0], item[1].value)
                    if item[1] is SkipReason.DIGEST:
                        context.keep_digest(item[0])
            known = context.known_files([f.uri for f in found])
            for file in found:
                if known.get(file.uri) == (file.size, file.mtime):
                    logger.debug("skipped %s: %s", file.uri, SkipReason.ALREADY_INGESTED.value)
                else:
                    fresh.append(file)
            skipped[SkipReason.ALREADY_INGESTED.value] += len(found) - len(fresh)
        context.expect_files(len(fresh))
        for files in in_batches(in_delivery_order(fresh), context.batch_bytes, context.batch_files):
            if context.stop.is_set():
                return
            yield RawBatch(files=tuple(files), skipped=skipped)
            skipped = Counter()
        if +skipped:  # nothing to read: the skips still count
            yield RawBatch(skipped=skipped)

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        """Nothing to do: the ledger remembers the files stored."""

    def close(self) -> None:
        """Nothing is held."""
