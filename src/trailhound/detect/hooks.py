"""The ingest hook: run the rules on every batch that ingest or collect commits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from trailhound.data_dir import DataDir
from trailhound.detect.runner import Detector

BatchHook = Callable[[duckdb.DuckDBPyConnection, str], None]


def detection_hook(data_dir: DataDir, extra_dirs: Sequence[Path] = ()) -> BatchHook:
    """A hook for ``Ingestor(hooks=[...])`` that raises alerts on each new batch."""
    detector: Detector | None = None

    def hook(con: duckdb.DuckDBPyConnection, relation: str) -> None:
        nonlocal detector
        if detector is None:  # load the rules on the first batch only
            detector = Detector(data_dir, extra_dirs=extra_dirs)
        detector.on_batch(con, relation)

    return hook
