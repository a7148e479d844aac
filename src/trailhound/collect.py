"""Collect: the integrations' SQS sources through the one ingest loop, until stopped.

Each integration is an :class:`~trailhound.sources.aws.sqs.SqsSource` whose state, counters and
poison objects the loop's caller keeps in the state database (``store.integrations``). Several
integrations take turns (round-robin) on one ingest loop; a failing one is retried, but not in a
tight loop.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import Any

from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchObserver
from trailhound.errors import CollectError
from trailhound.ingest import Ingestor
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.sqs import CollectorOptions, CollectSummary, SqsSource
from trailhound.store.integrations import IntegrationStatus, IntegrationStore
from trailhound.store.state import StateDB

RETRY_SECONDS = 60.0  # before a failing integration is tried again

logger = logging.getLogger(__name__)


def collect(
    data_dir: DataDir,
    integrations: Sequence[Integration],
    *,
    once: bool = False,
    options: CollectorOptions | None = None,
    stop: threading.Event | None = None,
    detection: BatchObserver | None = None,
) -> dict[str, CollectSummary]:
    """Collect several integrations, round-robin, through one ingest loop.

    ``detection`` sees every committed batch (the detection engine passes its own). With
    ``once``, each queue is drained and the call returns; a failure of any is raised then.
    """
    stop = stop or threading.Event()
    summaries = {i.name: CollectSummary() for i in integrations}
    errors: dict[str, str] = {}
    store = IntegrationStore(StateDB(data_dir.state_db))
    single = len(integrations) == 1
    logger.info(
        "collecting %s%s",
        ", ".join(i.name for i in integrations),
        " until the queues are empty" if once else " until stopped",
    )
    with Ingestor(data_dir, detection=detection) as ingestor, contextlib.ExitStack() as closing:
        sources: list[SqsSource] = []
        for integration in integrations:
            source = SqsSource(
                integration,
                data_dir,
                options=options,
                once=once or not single,
                wait_for_retries=once,
            )
            closing.callback(source.close)
            sources.append(source)
        while not stop.is_set() and sources:
            errors.clear()
            for source in list(sources):
                name = source.integration.name
                started = time.perf_counter()
                try:
                    ingestor.ingest(source, status=IntegrationStatus(store, name), stop=stop)
                except CollectError as error:
                    errors[name] = str(error)
                    if once:
                        sources.remove(source)
                        logger.error("integration %s failed: %s", name, error)
                    else:
                        wait_s = RETRY_SECONDS
                        logger.warning("%s failed: %s; retried in %.0f s", name, error, wait_s)
                finally:
                    summaries[name].merge(source.summary)
                    summaries[name].seconds += time.perf_counter() - started
                logger.debug("integration %s: %s", name, source.summary.line())
            if once:
                break
            if errors:  # a broken integration is retried, but not in a tight loop
                stop.wait(RETRY_SECONDS)
    logger.info("collection stopped" if stop.is_set() else "collection finished")
    if errors and once:
        raise CollectError("; ".join(errors.values()))
    return summaries


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
