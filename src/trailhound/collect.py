"""Collect: each integration's SQS source through the one ingest loop, each on its own.

Every integration runs in a thread of its own on one shared :class:`~trailhound.ingest.Ingestor`
(whose commits take turns). A failing or slow integration — a queue gone, a role that cannot be
assumed, an endpoint that does not answer — backs off on its own schedule (doubling from
``BACKOFF_BASE_SECONDS`` up to ``BACKOFF_MAX_SECONDS``) while the others keep polling. Before each
retry the integration is read again from the state database: an ``integration update`` that
fixes it takes effect without a restart, and one removed meanwhile stops.

With ``once``, each queue is drained (one attempt each) and the call returns. Either way the
result is a :class:`CollectReport`: per integration, what was collected and the last error.
Each round is logged (``logging``); ``on_status`` receives a status line per integration every
``status_seconds``.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchObserver
from trailhound.errors import CollectError, TrailhoundError
from trailhound.ingest import Ingestor
from trailhound.sources.aws.integrations import Integration, IntegrationState
from trailhound.sources.aws.sqs import CollectorOptions, CollectSummary, SqsSource
from trailhound.store.integrations import IntegrationStatus, IntegrationStore
from trailhound.store.state import StateDB

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 5.0  # the first wait after a failure; doubles per failure in a row
BACKOFF_MAX_SECONDS = 300.0
STATUS_SECONDS = 60.0  # between two status lines of each integration


@dataclass(slots=True)
class IntegrationRun:
    """One integration's collection in this process: its counts, failures and backoff."""

    name: str
    summary: CollectSummary = field(default_factory=CollectSummary)  # ingest calls finished
    error: str | None = None  # the last failure; None once the queue answered again
    failures: int = 0  # in a row
    retry_at: float | None = None  # monotonic time of the next attempt, while backing off
    finished: bool = False
    stopped_reason: str | None = None  # why it stopped before the others (removed)
    source: SqsSource | None = None  # the one collecting now

    @property
    def drained(self) -> bool:
        """Finished without an error (``once``: the queue was emptied)."""
        return self.finished and self.error is None and self.stopped_reason is None

    def totals(self) -> CollectSummary:
        """What this run collected so far, the ingest call in progress included."""
        total = CollectSummary(seconds=self.summary.seconds)
        total.merge(self.summary)
        source = self.source
        if source is not None:
            total.merge(source.summary)
        return total

    def state_text(self) -> str:
        """``collecting``, ``backing off (retry in 40 s)``, ``drained``, ``failed``…"""
        if self.stopped_reason:
            return self.stopped_reason
        if self.finished:
            return "drained" if self.error is None else "failed"
        if self.retry_at is not None:
            return f"backing off (retry in {max(0.0, self.retry_at - time.monotonic()):.0f} s)"
        return "collecting"

    def status_line(self) -> str:
        """One line: the state, the counts, the last error."""
        totals = self.totals()
        line = (
            f"{self.name}: {self.state_text()}; {totals.messages:,} messages, "
            f"{totals.objects:,} objects, {totals.ingest.events_written:,} events written, "
            f"{totals.poison:,} poison"
        )
        return line + (f"; last error: {self.error}" if self.error else "")


@dataclass(slots=True)
class CollectReport:
    """The outcome of a collect call, per integration."""

    runs: dict[str, IntegrationRun]

    @property
    def summaries(self) -> dict[str, CollectSummary]:
        """Per integration, what was collected."""
        return {name: run.totals() for name, run in self.runs.items()}

    @property
    def failed(self) -> list[IntegrationRun]:
        """The integrations whose last attempt failed."""
        return [run for run in self.runs.values() if run.error is not None]


def backoff_seconds(failures: int) -> float:
    """The wait after ``failures`` failures in a row: 5 s, 10 s, 20 s… at most 5 minutes.

    >>> [backoff_seconds(n) for n in (1, 2, 3, 10)]
    [5.0, 10.0, 20.0, 300.0]
    """
    return min(BACKOFF_BASE_SECONDS * 2.0 ** max(0, failures - 1), BACKOFF_MAX_SECONDS)


class _Worker:
    """Collects one integration in a thread of its own until stopped (or, once, drained)."""

    def __init__(
        self,
        run: IntegrationRun,
        integration: Integration,
        ingestor: Ingestor,
        store: IntegrationStore,
        *,
        once: bool,
        options: CollectorOptions | None,
        stop: threading.Event,
        backoff: Callable[[int], float],
    ) -> None:
        self.run = run
        self.integration = integration
        self.ingestor = ingestor
        self.store = store
        self.once = once
        self.options = options
        self.stop = stop
        self.backoff = backoff
        self.fatal: BaseException | None = None  # raised by the caller once every worker ends
        self.source: SqsSource | None = None
        self.thread = threading.Thread(target=self._main, name=f"collect-{run.name}", daemon=True)

    def _main(self) -> None:
        run = self.run
        try:
            while not self.stop.is_set():
                if self._attempt() or self.once:
                    break
                delay = self.backoff(run.failures)
                run.retry_at = time.monotonic() + delay
                logger.warning("%s: retrying in %.0f s", run.name, delay)
                if self.stop.wait(delay):
                    break
                run.retry_at = None
                if not self._reload():
                    break
        except BaseException as error:  # not an integration's failure: the whole run stops
            self.fatal = error
            self.stop.set()
        finally:
            if self.source is not None:
                self.source.close()
            run.retry_at = None
            run.finished = True

    def _attempt(self) -> bool:
        """One ingest call; whether it ended without an error."""
        run = self.run
        if self.source is None:  # kept between attempts: its AWS clients are costly to make
            self.source = SqsSource(
                self.integration,
                self.ingestor.data_dir,
                options=self.options,
                once=self.once,
                wait_for_retries=True,
            )
        source = run.source = self.source
        started = time.perf_counter()
        logger.info("%s: polling %s", run.name, self.integration.queue_url)
        try:
            self.ingestor.ingest(
                source, status=IntegrationStatus(self.store, run.name), stop=self.stop
            )
        except Exception as error:  # one integration's failure stays its own
            answered = source.last_receive_ok is not None and source.last_receive_ok > started
            run.failures = 1 if answered else run.failures + 1
            text = str(error) if isinstance(error, TrailhoundError) else repr(error)
            run.error = text.removeprefix(f"{run.name}: ")
            if isinstance(error, TrailhoundError):
                logger.warning("%s: %s", run.name, run.error)
            else:
                logger.exception("%s: unexpected failure", run.name)
            return False
        else:
            run.error, run.failures = None, 0
            return True
        finally:
            run.summary.merge(source.summary)
            run.summary.seconds += time.perf_counter() - started
            run.source = None
            if source.summary.messages:
                logger.info("%s: %s", run.name, source.summary.line())

    def _reload(self) -> bool:
        """Read the integration again before a retry; False when it was removed meanwhile."""
        try:
            found = self.store.find(self.run.name)
        except TrailhoundError as error:
            logger.warning("%s: cannot read the integration: %s", self.run.name, error)
            return True  # the state database may be back on the next try
        if found is None or found.state is IntegrationState.DELETED:
            self.run.stopped_reason = "removed"
            logger.info("%s: removed; no longer collected", self.run.name)
            return False
        if _settings(found) != _settings(self.integration) and self.source is not None:
            logger.info("%s: settings changed; reconnecting", self.run.name)
            self.source.close()
            self.source = None
        self.integration = found
        return True


def _settings(integration: Integration) -> tuple[object, ...]:
    """What a source is made from (not the counters, which change all the time)."""
    return (integration.queue_url, integration.connection, integration.accounts)


def run_collect(
    data_dir: DataDir,
    integrations: Sequence[Integration],
    *,
    once: bool = False,
    options: CollectorOptions | None = None,
    stop: threading.Event | None = None,
    detection: BatchObserver | None = None,
    on_status: Callable[[list[IntegrationRun]], None] | None = None,
    status_seconds: float = STATUS_SECONDS,
    backoff: Callable[[int], float] = backoff_seconds,
) -> CollectReport:
    """Collect every integration on its own thread through one ingest loop; see the module.

    ``detection`` sees every committed batch (the detection engine passes its own).
    """
    stop = stop or threading.Event()
    store = IntegrationStore(StateDB(data_dir.state_db))
    runs = {i.name: IntegrationRun(i.name) for i in integrations}
    logger.info(
        "collecting %s%s",
        ", ".join(i.name for i in integrations),
        " until the queues are empty" if once else " until stopped",
    )
    with Ingestor(data_dir, detection=detection) as ingestor:
        workers = [
            _Worker(
                runs[i.name],
                i,
                ingestor,
                store,
                once=once,
                options=options,
                stop=stop,
                backoff=backoff,
            )
            for i in integrations
        ]
        for worker in workers:
            worker.thread.start()
        next_status = time.monotonic() + status_seconds
        for worker in workers:
            while worker.thread.is_alive():
                worker.thread.join(timeout=min(1.0, max(0.0, next_status - time.monotonic())))
                if time.monotonic() >= next_status:
                    next_status += status_seconds
                    for run in runs.values():
                        logger.info("%s", run.status_line())
                    if on_status is not None:
                        on_status(list(runs.values()))
    logger.info("collection stopped" if stop.is_set() else "collection finished")
    for worker in workers:
        if worker.fatal is not None:
            raise worker.fatal
    return CollectReport(runs)


def collect(
    data_dir: DataDir,
    integrations: Sequence[Integration],
    *,
    once: bool = False,
    options: CollectorOptions | None = None,
    stop: threading.Event | None = None,
    detection: BatchObserver | None = None,
) -> dict[str, CollectSummary]:
    """Collect several integrations, each on its own (see :func:`run_collect`); the counts.

    With ``once``, a failure of any integration is raised once every one has finished.
    """
    report = run_collect(
        data_dir, integrations, once=once, options=options, stop=stop, detection=detection
    )
    if once and report.failed:
        raise CollectError("; ".join(str(run.error) for run in report.failed))
    return report.summaries


@contextlib.contextmanager
def graceful_shutdown(stop: threading.Event) -> Iterator[None]:
    """On SIGTERM or SIGINT, set ``stop`` so in-flight work finishes; a second SIGINT aborts."""
    previous: dict[int, Any] = {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        logger.info("%s: finishing the batches in flight, then stopping", signal.strsignal(signum))
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
