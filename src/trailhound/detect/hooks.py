"""The ingest loop's detection observer: run the rules on every batch ingest or collect commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchContext
from trailhound.detect.runner import Detector


class DetectionHook:
    """A ``BatchObserver``: rules on each new batch, correlations when an ingest call ends."""

    def __init__(self, data_dir: DataDir, extra_dirs: Sequence[Path] = ()) -> None:
        self.data_dir = data_dir
        self.extra_dirs = tuple(extra_dirs)
        self.detector: Detector | None = None  # rules load on the first batch only
        self.started = datetime.now(UTC)

    def on_batch(self, batch: BatchContext) -> None:
        """Run the single-event rules on one committed batch."""
        if self.detector is None:
            self.detector = Detector(
                self.data_dir, extra_dirs=self.extra_dirs, run_started=self.started
            )
        self.detector.on_batch(batch.con, batch.relation)

    def finish(self) -> None:
        """Run the correlations the batches of this ingest call touched."""
        if self.detector is not None:
            self.detector.flush_correlations()


def detection_hook(data_dir: DataDir, extra_dirs: Sequence[Path] = ()) -> DetectionHook:
    """An observer for ``Ingestor(detection=...)`` that raises alerts on each new batch."""
    return DetectionHook(data_dir, extra_dirs)
