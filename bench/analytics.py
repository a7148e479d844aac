"""Analytics benchmark: what learning profiles and running the analytics costs ingest, and train.

    python bench/analytics.py [--events N] [--seed S] [--rounds R] [--workdir DIR]

1. generates N demo events in S3 layout (cached in the work directory by N and seed, shared with
   bench/ingest.py and bench/enrich.py) and the demo's Tor exit list;
2. ingests them in child processes, alternating (a) without detection, the baseline, and (b) with
   the analytics detector on every committed batch (event detectors, new profile values, profile
   merge), ``--rounds`` times each, best run kept; also the time (b) spent in the detector,
   measured inside it, which the machine's load disturbs less than the difference of two runs;
3. times ``trailhound analytics train`` (a rebuild of every profile from the lake) in a child
   process, against a plain count over the same lake;
4. prints the alerts each analytic raised on the run (b), per million events, and whether the
   demo's Tor story was caught.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INGEST = """
import sys, time
from pathlib import Path
from trailhound.analytics.detector import AnalyticsDetector
from trailhound.data_dir import DataDir
from trailhound.detect.base import DetectorContext
from trailhound.detect.detection import Detection
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.intel.enrichment import update_lists

class Timed(AnalyticsDetector):
    seconds = 0.0
    def on_batch(self, batch):
        started = time.perf_counter()
        try:
            return super().on_batch(batch)
        finally:
            Timed.seconds += time.perf_counter() - started

data_dir = DataDir(Path(sys.argv[1])).ensure()
update_lists(data_dir, {"tor": Path(sys.argv[4])})
detection = None
if sys.argv[3] == "on":
    detector = Timed(DetectorContext(data_dir))
    detection = Detection(data_dir, AlertStore.for_data_dir(data_dir), detectors=[detector])
started = time.perf_counter()
with Ingestor(data_dir, detection=detection) as ingestor:
    ingestor.ingest_paths([Path(sys.argv[2])])
print(time.perf_counter() - started, Timed.seconds)
"""

TRAIN = """
import sys, time
from pathlib import Path
from trailhound.analytics.profiles import train
from trailhound.data_dir import DataDir
from trailhound.store.duckdb import DuckDBBackend
data_dir = DataDir(Path(sys.argv[1]))
started = time.perf_counter()
with DuckDBBackend.open(data_dir) as backend:
    backend.execute("SELECT count(*), count(DISTINCT actor) FROM cloudtrail")
scan = time.perf_counter() - started
summary = train(data_dir)
print(scan, summary.seconds, summary.rows)
"""


def run_child(argv: list[str]) -> list[float]:
    """Run a child; the numbers it printed last."""
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return [float(x) for x in done.stdout.split()[-3:] if x.replace(".", "", 1).isdigit()]


def generate(events: int, seed: int, workdir: Path) -> tuple[Path, Path]:
    """The demo data set and Tor list for this size and seed, generated once."""
    logs = workdir / f"logs-{events}-{seed}"
    marker = logs / ".complete"
    if not marker.exists():
        shutil.rmtree(logs, ignore_errors=True)
        from trailhound_demo.generator import generate_demo

        started = time.perf_counter()
        summary = generate_demo(logs, events=events, seed=seed)
        print(f"generated {summary.events:,} events in {time.perf_counter() - started:.1f} s")
        marker.touch()
    from trailhound_demo.intel import write_demo_tor_list

    return logs, write_demo_tor_list(workdir / "demo-tor.txt")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode; best is kept")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    logs, tor = generate(args.events, args.seed, args.workdir)

    # Alternate the two modes and keep each one's best run: the machine's load varies.
    times = {"off": float("inf"), "on": float("inf")}
    inside = float("inf")
    for _ in range(args.rounds):
        for mode in ("off", "on"):
            store = args.workdir / f"analytics-store-{mode}"
            shutil.rmtree(store, ignore_errors=True)
            wall, detector = run_child(
                [sys.executable, "-c", INGEST, str(store), str(logs), mode, str(tor)]
            )
            times[mode] = min(times[mode], wall)
            if mode == "on":
                inside = min(inside, detector)
    n = args.events
    cost = times["on"] - times["off"]
    print(
        f"ingest {n:,} events (best of {args.rounds}): without detection {times['off']:.1f} s "
        f"({n / times['off']:,.0f} events/s); with the analytics on every batch "
        f"{times['on']:.1f} s ({n / times['on']:,.0f} events/s): {cost:+.1f} s "
        f"({cost / times['off']:+.1%}); measured inside the detector: {inside:.2f} s "
        f"({n / inside:,.0f} events/s)"
    )

    store = args.workdir / "analytics-store-on"
    scan, trained, rows = run_child([sys.executable, "-c", TRAIN, str(store)])
    print(
        f"analytics train over {n:,} events: {trained:.2f} s ({n / trained:,.0f} events/s, "
        f"{rows:,.0f} profile values); a count over the same lake: {scan:.2f} s"
    )

    from trailhound.data_dir import DataDir
    from trailhound.store.state import StateDB

    with StateDB(DataDir(store).state_db).connect(read_only=True) as con:
        rows_by_rule = con.execute(
            "SELECT rule_id, count(*), sum(count), count(*) FILTER (WHERE actor LIKE "
            "'%user/svc-reporting') FROM alerts WHERE source = 'analytics' GROUP BY ALL "
            "ORDER BY rule_id"
        ).fetchall()
    total = sum(int(r[1]) for r in rows_by_rule)
    print(f"analytics alerts on the run with detection: {total} ({total / n * 1e6:,.0f} per M)")
    for rule_id, alerts, events, tor_actor in rows_by_rule:
        print(f"  {rule_id}: {alerts} alerts over {events} events ({tor_actor} on svc-reporting)")
    caught = any(r[0].startswith("analytics.tor_api_call") and r[3] for r in rows_by_rule)
    print(f"demo Tor story caught by analytics.tor_api_call: {'yes' if caught else 'NO'}")


if __name__ == "__main__":
    main()
