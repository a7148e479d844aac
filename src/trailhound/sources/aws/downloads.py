"""Where the collector puts what it downloads: private temporary files and kept digest files.

Bucket and key come from the queue message, which whoever can write to the bucket or send to
the queue chooses. So nothing downloaded lands at a path built from them as they are:

* a log file goes to ``tmp/collect/<run>/<random>-<name>``, created 0600 by ``mkstemp``; only
  the key's last segment survives in ``<name>``, reduced to ``[A-Za-z0-9._-]`` (so that DuckDB's
  reader, which expands globs, sees none) and shortened; the file is removed once ingested;
* a digest is kept as ``digests/<bucket>/<version>_<name>`` (``digests.stored_digest_name``),
  the bucket having passed S3's naming rules (``notifications.bucket_problem``);
* every path is resolved and checked to be inside its root before anything is written there.

Each collector works in a folder of its own under ``tmp/collect`` (0700) and holds an advisory
lock on it while it runs. At start-up, folders whose lock is free — their process died — are
removed with what they hold, so a crash leaves no download behind for long, and a collector
running beside another one never removes the other's files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from trailhound.data_dir import DataDir
from trailhound.errors import CollectError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_NAME_CHARS = 100  # of a temporary file's name taken from the key, counted from its end
_LOCK = ".lock"
_PRIVATE = 0o700
_UNLOCKED_GRACE_SECONDS = 60.0  # a folder without a lock file yet may be one being set up


class PathConfinementError(CollectError):
    """A path built from input would leave the folder it belongs in."""


def safe_name(key: str) -> str:
    """The last segment of ``key`` reduced to ``[A-Za-z0-9._-]``, its end kept (the suffix).

    >>> safe_name("AWSLogs/1/CloudTrail/../../x*[a] b.json.gz")
    'x__a__b.json.gz'
    """
    base = key.replace("\\", "/").rsplit("/", 1)[-1]
    return _UNSAFE.sub("_", base)[-_NAME_CHARS:].lstrip(".") or "object"


def confined(root: Path, *parts: str) -> Path:
    """``root/part/…``, refused unless each part is one plain name and the result is inside.

    >>> confined(Path("/data/digests"), "bkt", "f.json").as_posix()
    '/data/digests/bkt/f.json'
    """
    for part in parts:
        if (
            not part
            or part in {".", ".."}
            or any(c in part for c in "/\\\x00")
            or len(part.encode("utf-8", "surrogateescape")) > 255
        ):
            raise PathConfinementError(f"refused path component {part[:80]!r} under {root}")
    base = root.resolve()
    path = base.joinpath(*parts)
    if not path.resolve().is_relative_to(base):  # a symlink on the way leads outside
        raise PathConfinementError(f"{path} resolves outside {base}")
    return path


def private_folder(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; the folder itself is made 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=_PRIVATE)
    path.chmod(_PRIVATE)  # mkdir's mode passes through the umask, and the folder may exist
    return path


class DownloadArea:
    """This process's download folder under ``tmp/collect``, and the kept digests' folder."""

    def __init__(self, data_dir: DataDir) -> None:
        self.root = data_dir.root / "tmp" / "collect"
        self.digests = data_dir.root / "digests"
        self.folder: Path | None = None
        self._lock: int | None = None

    def open(self) -> DownloadArea:
        """Remove what dead collectors left behind, then take a folder of our own."""
        if self.folder is not None:
            return self
        private_folder(self.root)
        clean_leftovers(self.root)
        folder = Path(tempfile.mkdtemp(dir=self.root, prefix="run-"))  # 0700
        lock = os.open(folder / _LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.folder, self._lock = folder, lock
        return self

    def close(self) -> None:
        """Remove this process's folder and what is still in it (idempotent)."""
        folder, lock = self.folder, self._lock
        self.folder, self._lock = None, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if lock is not None:
            os.close(lock)

    def temporary(self, key: str) -> tuple[BinaryIO, Path]:
        """A new empty file (0600) for the object ``key``, open for writing, and its path."""
        folder = self.open().folder
        assert folder is not None
        handle, name = tempfile.mkstemp(dir=folder, suffix=f"-{safe_name(key)}")
        return os.fdopen(handle, "wb"), Path(name)

    def digest_path(self, bucket: str, name: str) -> Path:
        """Where a digest object of ``bucket`` is kept under the file name ``name``."""
        path = confined(private_folder(self.digests), bucket, name)
        private_folder(path.parent)
        return path


def clean_leftovers(root: Path) -> int:
    """Remove the downloads under ``root`` that no running collector holds; returns how many.

    A folder is held while its lock file is locked; loose files (an older layout) and links are
    never held. Links are removed, never followed.
    """
    removed = 0
    if not root.is_dir():
        return 0
    for entry in sorted(root.iterdir()):
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink(missing_ok=True)
            removed += 1
            continue
        with _free_lock(entry / _LOCK) as free:
            if free:
                removed += sum(1 for p in entry.rglob("*") if p.name != _LOCK)
                shutil.rmtree(entry, ignore_errors=True)
    return removed


@contextlib.contextmanager
def _free_lock(path: Path) -> Iterator[bool]:
    """Yields whether the lock at ``path`` is free (no live process holds it)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    except FileNotFoundError:
        # A crash before the lock was taken, or a collector taking it right now.
        try:
            age = time.time() - path.parent.stat().st_mtime
        except OSError:
            age = 0.0
        yield age > _UNLOCKED_GRACE_SECONDS
        return
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def leftover_files(root: Path) -> list[Path]:
    """The downloaded files under ``root`` (lock files aside), live or left behind."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != _LOCK)
