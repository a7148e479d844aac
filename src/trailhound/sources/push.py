"""Events pushed over HTTP (``POST /api/v1/ingest/cloudtrail``) as a source of the ingest loop.

The API's request handlers :meth:`PushSource.submit` each pushed body (a CloudTrail log file,
gzip or plain, or JSON lines) and wait for its outcome; one ingest loop, running in the server
for as long as it runs, pulls them as batches of one blob each, stores and dedupes them (a
pushed event stored before counts as a duplicate: pushing again is harmless) and runs
detection, exactly as ``trailhound ingest`` does. The loop's acknowledgement answers the
waiting request with the batch's counts.

The queue between the handlers and the loop is bounded: when the loop falls behind, a push
waits for room (and gives up with :class:`PushBusy` after its timeout) instead of piling bodies
up in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from typing import ClassVar

from trailhound.errors import SourceError
from trailhound.model import BatchOutcome, Blob, RawBatch
from trailhound.sources.base import SourceContext

_POLL_SECONDS = 0.1  # how often a waiting source looks at the loop's stop


class PushBusy(SourceError):
    """The ingest loop has no room for another pushed body now: try again later."""


class PushClosed(SourceError):
    """The ingest loop stopped before the pushed body was stored."""


class PushSource:
    """Bodies pushed by HTTP clients, each a batch of one blob, answered when stored."""

    name: ClassVar[str] = "push"
    continuous: ClassVar[bool] = True

    def __init__(self, max_waiting: int = 64) -> None:
        self._queue: queue.Queue[tuple[Blob, Future[BatchOutcome]]] = queue.Queue(max_waiting)
        self._open: set[Future[BatchOutcome]] = set()  # taken by the loop, not acknowledged
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def submit(self, blob: Blob, timeout: float = 30.0) -> Future[BatchOutcome]:
        """Hand a pushed body to the loop; the future resolves when it is stored (or failed)."""
        if self._closed.is_set():
            raise PushClosed("ingest is not running")
        future: Future[BatchOutcome] = Future()
        try:
            self._queue.put((blob, future), timeout=timeout)
        except queue.Full as error:
            raise PushBusy("ingest is busy: try again later") from error
        if self._closed.is_set():  # closed while this one waited for room: nobody will take it
            self._fail_waiting()
        return future

    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        """Each pushed body as it comes, until the loop is stopped."""
        while not context.stop.is_set():
            try:
                blob, future = self._queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if not future.set_running_or_notify_cancel():
                continue  # the client gave up before the loop took it
            with self._lock:
                self._open.add(future)
            yield RawBatch(blobs=(blob,), token=future)

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        """Answer the request waiting for this batch."""
        future = batch.token
        if isinstance(future, Future):
            with self._lock:
                self._open.discard(future)
            future.set_result(outcome)

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
        while True:
            try:
                _, future = self._queue.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(PushClosed("ingest stopped before the body was stored"))
