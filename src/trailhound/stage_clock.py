"""Where an ingest run spends its time: seconds per stage, summed over the threads that ran it.

The ingest loop times each stage of a batch (``load``: read, decompress, parse and normalize in
one DuckDB statement; ``checks``; ``wait`` for the commit lock; ``dedupe``; ``write``;
``enrich``, the intel step after the write and the detection view; ``record`` in the state
database; ``detect``; ``compact``) and the run's summary carries the totals, which
``ingest_runs.stage_seconds`` keeps. Batches run in parallel threads, so the seconds of a run's
stages add up to more than its wall time: their *shares* say where the next gain is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES: tuple[str, ...] = (
    "load",
    "checks",
    "wait",
    "dedupe",
    "write",
    "enrich",
    "record",
    "detect",
    "compact",
)


class StageClock:
    """Accumulates the wall seconds spent in each stage, from any thread."""

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as (part of) stage ``name``."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        """Count ``seconds`` more for stage ``name``."""
        with self._lock:
            self._seconds[name] = self._seconds.get(name, 0.0) + seconds

    def totals(self) -> dict[str, float]:
        """Seconds per stage so far, rounded to the millisecond, in pipeline order.

        >>> clock = StageClock()
        >>> clock.add("write", 0.5); clock.add("load", 1.25); clock.add("write", 0.25)
        >>> clock.totals()
        {'load': 1.25, 'write': 0.75}
        """
        with self._lock:
            return _ordered(self._seconds)

    def take(self) -> dict[str, float]:
        """The totals so far (as ``totals``), and start again from zero."""
        with self._lock:
            seconds, self._seconds = self._seconds, {}
        return _ordered(seconds)


def _ordered(seconds: dict[str, float]) -> dict[str, float]:
    """Stages in pipeline order (unknown ones after, by name), rounded to the millisecond."""
    known = [s for s in STAGES if s in seconds]
    other = sorted(s for s in seconds if s not in STAGES)
    return {s: round(seconds[s], 3) for s in known + other}
