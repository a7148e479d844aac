"""What the ingest progress costs: the application's ingest of demo data with and without it.

    python bench/ingest_progress.py [--events N] [--seed S] [--rounds R]

With a progress callback (``trailhound ingest`` on a terminal) the loader reads each batch's log
files in groups of about 1 MiB, one DuckDB statement each, and tells the callback of every file
and its events; without one (the baseline, measured in the same run) it reads a batch in one
statement. Each round ingests the same files into an empty data directory (no detection, which
is the same either way), alternating the two; the best wall and CPU seconds of each are printed.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from trailhound.app import Trailhound
from trailhound.data_dir import DataDir
from trailhound.ingest import Progress
from trailhound.sources.files import FileSource
from trailhound_demo.generator import generate_demo


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(logs: Path, root: Path, progress: bool) -> tuple[float, float, int, int]:
    """One ingest: wall seconds, CPU seconds, events written, progress calls."""
    calls = 0

    def on_progress(_: Progress) -> None:
        nonlocal calls
        calls += 1

    app = Trailhound(DataDir(root))
    wall, cpu = time.perf_counter(), _cpu()
    summary = app.ingest(
        [FileSource([logs])], detect=False, on_progress=on_progress if progress else None
    )
    return time.perf_counter() - wall, _cpu() - cpu, summary.events_written, calls


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="th-bench-progress-") as work:
        logs = Path(work) / "logs"
        made = generate_demo(logs, events=args.events, seed=args.seed)
        print(f"demo data: {made.events:,} events in {made.files:,} files")
        best: dict[bool, tuple[float, float, int, int]] = {}
        for round_ in range(args.rounds):
            for progress in (False, True):
                figures = run(logs, Path(work) / f"data-{round_}-{progress}", progress)
                if progress not in best or figures[0] < best[progress][0]:
                    best[progress] = figures
        for progress, label in ((False, "baseline, no progress"), (True, "with progress")):
            wall, cpu, events, calls = best[progress]
            print(
                f"{label:24} {wall:6.2f} s wall {cpu:6.2f} s CPU  {events:,} events  "
                f"{calls:,} progress calls"
            )
        ratio = best[True][0] / best[False][0]
        print(f"progress costs {100 * (ratio - 1):+.1f} % wall (best of {args.rounds})")


if __name__ == "__main__":
    main()
