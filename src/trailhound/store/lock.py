"""File locks on the data directory: one writer at a time, and readers that see whole commits.

Two locks, both ``flock`` on a file, so the kernel releases them when a process dies however it
dies (``kill -9`` included) and no stale lock file ever needs clearing:

* the **write lock** (``DataDir.write_lock``), exclusive, serializes every commit across
  processes: ingest's dedupe-then-write, the collector's batches and compaction. It is held per
  batch, not per run, so two ingests interleave their batches instead of one waiting for the
  other to finish. Within a process it is re-entrant (the ingestor commits inside it and
  compaction takes it again) and threads take turns. The holder writes its process ID into the
  file, so that a waiting process can say whom it waits for;
* the **publish lock** (``DataDir.publish_lock``), held exclusively only while a writer renames
  files into the lake and removes the files compaction replaced (milliseconds), and shared by
  readers while they list the lake: a listing never sees half a publication.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from trailhound.errors import StoreError

WaitNotice = Callable[[int | None], None]
"""Told once, with the holder's process ID if known, when a writer has to wait for the lock."""

_POLL_SECONDS = 0.05


def _ignore(_pid: int | None) -> None:
    return None


_notice: WaitNotice = _ignore


def set_wait_notice(notice: WaitNotice | None) -> None:
    """Say how this process tells its user that it waits for another writer (the CLI prints)."""
    global _notice
    _notice = notice or _ignore


@dataclass(slots=True)
class _Held:
    fd: int
    depth: int


_registry = threading.Lock()
_turns: dict[Path, threading.RLock] = {}  # one per lock file: threads of a process take turns
_held: dict[Path, _Held] = {}


def _open(path: Path, *, write: bool) -> int:
    """A descriptor of the lock file; -1 for a reader when its folder does not exist yet."""
    if write:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except PermissionError:
        if write:
            raise
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)  # a reader of someone else's lake
    except FileNotFoundError:
        if write:
            raise
        return -1  # no lake yet: nothing to wait for


def _holder(fd: int) -> int | None:
    """The process ID the holder wrote into the lock file, if it can be read."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class WriteLock:
    """The exclusive, per-process re-entrant lock that serializes commits to a data directory."""

    def __init__(self, path: Path, *, timeout: float | None = None) -> None:
        # One entry per file however it is spelled: a second flock on the same file from this
        # process would wait for itself.
        self.path = path.resolve()
        self.timeout = timeout

    @contextlib.contextmanager
    def hold(self) -> Iterator[bool]:
        """Hold the lock for the block; yields whether this is the outermost hold in the process."""
        with _registry:
            turn = _turns.setdefault(self.path, threading.RLock())
        if not turn.acquire(timeout=-1 if self.timeout is None else self.timeout):
            raise StoreError(f"timed out waiting for the write lock {self.path}")
        try:
            held = _held.get(self.path)
            if held is not None:
                held.depth += 1
                try:
                    yield False
                finally:
                    held.depth -= 1
                return
            fd = self._acquire()
            _held[self.path] = _Held(fd, 1)
            try:
                yield True
            finally:
                del _held[self.path]
                os.close(fd)  # closing the descriptor releases the flock
        finally:
            turn.release()

    def _acquire(self) -> int:
        fd = _open(self.path, write=True)
        try:
            deadline = None if self.timeout is None else time.monotonic() + self.timeout
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not told:
                        _notice(_holder(fd))
                        told = True
                    if deadline is not None and time.monotonic() > deadline:
                        raise StoreError(
                            f"timed out waiting for another trailhound process "
                            f"(pid {_holder(fd) or 'unknown'}) to finish writing"
                        ) from None
                    time.sleep(_POLL_SECONDS)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        except BaseException:
            os.close(fd)
            raise

    def held(self) -> bool:
        """Whether this process holds the lock now."""
        return self.path in _held


@contextlib.contextmanager
def publishing(path: Path) -> Iterator[None]:
    """Hold the publish lock exclusively: readers wait (briefly) for the renames to finish."""
    fd = _open(path, write=True)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def listing(path: Path) -> Iterator[None]:
    """Hold the publish lock shared while listing the lake: no publication is half seen."""
    fd = _open(path, write=False)
    if fd < 0:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
