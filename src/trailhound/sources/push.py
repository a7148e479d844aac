"""Events pushed over HTTP (``POST /api/v1/ingest/cloudtrail``) as a source of the ingest loop.

The API's request handlers :meth:`PushSource.submit` each pushed body (a CloudTrail log file,
gzip or plain, or JSON lines) and wait for its outcome. One ingest loop, the server's single
writer, pulls them as batches: every body waiting when it asks for the next batch (up to a
count and a size) becomes one batch, read, deduplicated and committed together, with one lake
write, one ledger transaction and one detection pass however many clients push at once. A
pushed event stored before counts as a duplicate: pushing again is harmless. The loop's
acknowledgement answers each waiting request with its own body's counts.

The queue between the handlers and the loop is bounded, by bodies and by bytes: a push that
finds it full waits a moment for room, then gives up with :class:`PushBusy` (the API's 503 with
``Retry-After``) instead of piling bodies up in memory.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from typing import ClassVar

from trailhound.errors import SourceError
from trailhound.model import BatchOutcome, Blob, IngestSummary, RawBatch
from trailhound.sources.base import SourceContext

_POLL_SECONDS = 0.1  # how often a waiting source looks at the loop's stop
MAX_WAITING = 512  # bodies waiting for the loop, at most
MAX_WAITING_BYTES = 512 * 1024 * 1024  # and their bytes
BATCH_BODIES = 256  # bodies one batch takes, at most
BATCH_BYTES = 64 * 1024 * 1024  # and their bytes (a larger body is a batch of its own)
ROOM_SECONDS = 2.0  # how long a push waits for room in a full queue before PushBusy


class PushBusy(SourceError):
    """The ingest loop has no room for another pushed body now: try again later."""


class PushClosed(SourceError):
    """The ingest loop stopped before the pushed body was stored."""


_Waiting = tuple[Blob, "Future[BatchOutcome]"]


class PushSource:
    """Bodies pushed by HTTP clients, coalesced into batches, each answered when stored."""

    name: ClassVar[str] = "push"
    continuous: ClassVar[bool] = True

    def __init__(
        self,
        max_waiting: int = MAX_WAITING,
        max_waiting_bytes: int = MAX_WAITING_BYTES,
        *,
        batch_bodies: int = BATCH_BODIES,
        batch_bytes: int = BATCH_BYTES,
    ) -> None:
        self.max_waiting = max_waiting
        self.max_waiting_bytes = max_waiting_bytes
        self.batch_bodies = batch_bodies
        self.batch_bytes = batch_bytes
        self._waiting: deque[_Waiting] = deque()
        self._bytes = 0  # of the bodies waiting
        self._ready = threading.Condition()  # guards the queue: a body came, or room was made
        self._open: set[Future[BatchOutcome]] = set()  # taken by the loop, not acknowledged
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def _full(self, size: int) -> bool:
        if not self._waiting:
            return False  # one body, however large, always fits (the API limits its size)
        return len(self._waiting) >= self.max_waiting or self._bytes + size > self.max_waiting_bytes

    def submit(self, blob: Blob, timeout: float = ROOM_SECONDS) -> Future[BatchOutcome]:
        """Hand a pushed body to the loop; the future resolves when it is stored (or failed).

        Waits up to ``timeout`` seconds for room in a full queue, then raises ``PushBusy``.
        """
        if self._closed.is_set():
            raise PushClosed("ingest is not running")
        future: Future[BatchOutcome] = Future()
        size = len(blob.data)
        with self._ready:
            if not self._ready.wait_for(
                lambda: not self._full(size) or self._closed.is_set(), timeout
            ):
                raise PushBusy(
                    f"ingest is busy ({len(self._waiting)} bodies waiting): try again later"
                )
            if self._closed.is_set():
                raise PushClosed("ingest is not running")
            self._waiting.append((blob, future))
            self._bytes += size
            self._ready.notify_all()
        return future

    def waiting(self) -> int:
        """How many pushed bodies wait for the loop."""
        with self._ready:
            return len(self._waiting)

    def _take(self) -> list[_Waiting]:
        """The bodies waiting now, up to a batch's count and bytes (the oldest first)."""
        taken: list[_Waiting] = []
        names: set[str] = set()
        size = 0
        with self._ready:
            while self._waiting and len(taken) < self.batch_bodies:
                blob, future = self._waiting[0]
                if taken and size + len(blob.data) > self.batch_bytes:
                    break
                if blob.name in names:
                    break  # each body is answered by its name: a namesake waits for the next
                names.add(blob.name)
                self._waiting.popleft()
                self._bytes -= len(blob.data)
                size += len(blob.data)
                taken.append((blob, future))
            self._ready.notify_all()  # room for the pushes waiting for it
        return taken

    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        """The bodies waiting, as one batch, each time the loop asks; until it is stopped."""
        while not context.stop.is_set():
            with self._ready:
                if not self._waiting:
                    self._ready.wait(_POLL_SECONDS)
                    continue
            # A client that gave up before the loop took its body is not stored for it.
            taken = [(b, f) for b, f in self._take() if f.set_running_or_notify_cancel()]
            if not taken:
                continue
            futures = {blob.name: future for blob, future in taken}
            with self._lock:
                self._open.update(futures.values())
            yield RawBatch(blobs=tuple(blob for blob, _ in taken), token=futures)

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        """Answer each request of this batch with its own body's counts."""
        futures = batch.token
        if not isinstance(futures, dict):
            return
        whole = outcome.summary
        for name, future in futures.items():
            if len(futures) == 1 and name not in whole.objects:
                mine = whole
            else:
                mine = whole.objects.get(name, IngestSummary())
            failed = {name: outcome.failed[name]} if name in outcome.failed else {}
            with self._lock:
                self._open.discard(future)
            if not future.done():
                future.set_result(BatchOutcome(mine, failed, outcome.error if failed else None))

    def close(self) -> None:
        """Refuse new pushes; fail those waiting and those taken but never acknowledged."""
        self._closed.set()
        self._fail_waiting()
        with self._lock:
            taken, self._open = list(self._open), set()
        for future in taken:
            if not future.done():
                future.set_exception(PushClosed("ingest stopped before the body was stored"))

    def _fail_waiting(self) -> None:
        with self._ready:
            waiting = list(self._waiting)
            self._waiting.clear()
            self._bytes = 0
            self._ready.notify_all()
        for _, future in waiting:
            if future.set_running_or_notify_cancel():
                future.set_exception(PushClosed("ingest stopped before the body was stored"))
