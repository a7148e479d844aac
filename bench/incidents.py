"""Incident benchmark: what grouping alerts into incidents costs ingest and hunts, and how long a
root-cause graph takes.

    python bench/incidents.py [--events 50000] [--seed 7] [--workdir DIR]

1. generates the demo data set (cached in the work directory by size and seed);
2. ingests it with detection twice, into fresh data directories: (a) the alert store without
   incident grouping (the baseline), (b) as the command line wires it, grouping after every
   recording; then hunts over all of it the same two ways (c, d) on copies of a lake ingested
   without detection;
3. builds the root-cause graph of the three highest-scoring incidents.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from trailhound.data_dir import DataDir
from trailhound.detect.detection import Detection
from trailhound.incidents.alerts import AlertStore
from trailhound.incidents.graph import build_graph
from trailhound.incidents.store import IncidentStore
from trailhound.ingest import Ingestor
from trailhound.store.duckdb import DuckDBBackend
from trailhound.store.state import StateDB
from trailhound_demo.generator import generate_demo


def demo_logs(events: int, seed: int, workdir: Path) -> Path:
    """The demo data set for this size and seed, generated once."""
    logs = workdir / f"logs-{events}-{seed}"
    marker = logs / ".complete"
    if not marker.exists():
        shutil.rmtree(logs, ignore_errors=True)
        generate_demo(logs, events=events, seed=seed)
        marker.touch()
    return logs


def alert_store(data_dir: DataDir, grouping: bool) -> AlertStore:
    """The data directory's alert store, grouping incidents or not."""
    store = AlertStore.for_data_dir(data_dir)
    if not grouping:
        store.incidents = None
    return store


def ingest(logs: Path, data_dir: DataDir, grouping: bool) -> float:
    """Seconds to ingest the logs with detection."""
    started = time.perf_counter()
    detection = Detection(data_dir, alert_store(data_dir, grouping))
    with Ingestor(data_dir, detection=detection) as ingestor:
        ingestor.ingest_paths([logs])
    return time.perf_counter() - started


def hunt(data_dir: DataDir, grouping: bool) -> tuple[float, int]:
    """Seconds to hunt over everything, and the alerts raised."""
    started = time.perf_counter()
    alerts = Detection(data_dir, alert_store(data_dir, grouping)).hunt(None)
    return time.perf_counter() - started, len(alerts)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="trailhound-bench-"))
    logs = demo_logs(args.events, args.seed, workdir)
    runs = workdir / f"runs-{time.time_ns()}"
    print(f"{args.events:,} demo events (seed {args.seed})")

    plain, grouped = DataDir(runs / "a").ensure(), DataDir(runs / "b").ensure()
    baseline = ingest(logs, plain, grouping=False)
    with_incidents = ingest(logs, grouped, grouping=True)
    incidents = IncidentStore(StateDB(grouped.state_db)).list(limit=100_000, by_score=True)
    alerts = sum(i["alert_count"] for i in incidents)
    print(f"(a) ingest + detection, no incidents (baseline): {baseline:7.2f} s")
    print(
        f"(b) ingest + detection + incidents:              {with_incidents:7.2f} s "
        f"({with_incidents - baseline:+.2f} s; {alerts:,} alerts in {len(incidents):,} incidents)"
    )

    lake = DataDir(runs / "lake").ensure()
    with Ingestor(lake) as ingestor:
        ingestor.ingest_paths([logs])
    shutil.copytree(lake.root, runs / "c")
    shutil.copytree(lake.root, runs / "d")
    hunt_base, raised = hunt(DataDir(runs / "c"), grouping=False)
    hunt_grouped, _ = hunt(DataDir(runs / "d"), grouping=True)
    print(f"(c) hunt, no incidents (baseline): {hunt_base:7.2f} s ({raised:,} alerts)")
    extra = hunt_grouped - hunt_base
    print(f"(d) hunt + incidents:              {hunt_grouped:7.2f} s ({extra:+.2f} s)")

    store = IncidentStore(StateDB(grouped.state_db))
    with DuckDBBackend.open(grouped) as backend:
        for listed in incidents[:3]:
            incident = store.get(listed["id"])
            started = time.perf_counter()
            graph = build_graph(incident, backend)
            took = (time.perf_counter() - started) * 1000
            print(
                f"graph of {incident['id']} ({incident['alert_count']} alerts): {took:7.1f} ms, "
                f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
                f"{graph.graph['events']} events"
            )
    if args.workdir is None:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        shutil.rmtree(runs, ignore_errors=True)


if __name__ == "__main__":
    main()
