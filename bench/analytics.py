"""Analytics benchmark: what learning profiles and running the analytics costs ingest, and train.

    python bench/analytics.py [--events N] [--days D] [--seed S] [--rounds R] [--workdir DIR]

1. generates N demo events over D days (34 by default: 30 benign days, then the attack stories
   on the last four, the trail deleted on the last; each story's identity has been active for
   the 30 days of the first-seen detectors' training) in S3 layout, cached in the work
   directory by N, seed and days, and the demo's Tor exit list;
2. ingests them in child processes, the log files in the order CloudTrail delivered them (as a
   live deployment receives them, every account and region interleaved; ``--order path``: the
   folder in path order, account by account and region by region, as a backfill of a bucket's
   history is read, a batch holding days of one account and region), alternating (a)
   without detection, the baseline, and (b) with the analytics detector on every committed
   batch (event detectors, new profile values, profile merge), ``--rounds`` times each, best
   run kept; also the time (b) spent in the detector, measured inside it, which the machine's
   load disturbs less than the difference of two runs;
3. times ``trailhound analytics train`` (a rebuild of every profile from the lake) in a child
   process, against a plain count over the same lake;
4. measures quality on the run (b): the demo generator's labelled attack stories
   (``trailhound_demo.stories``, told again from the same seed to know their event IDs) against
   its benign traffic. Per detector (variations with their detector): the stories with at least
   one event in its alerts, its benign alerts (none of whose events belongs to a story) and
   those per million events; then the stories no detector caught.

Every detector keeps its declared training and activation periods (``--training`` sets the
``analytics-training`` setting instead, for a shorter span). Training speed is extrapolated
linearly to 10 million events, which is optimistic only if the distinct values (the
aggregate's size) grow slower than the events, as they do on real trails.
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
from trailhound.store.state import StateDB

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
if sys.argv[5] != "declared":
    StateDB(data_dir.state_db).set_setting("analytics-training", sys.argv[5])
# The log files in delivery order (the time in their names), every account and region
# interleaved, as a live deployment receives them; or the folder whole, in path order (account,
# region, day: a backfill of a bucket's history).
files = sorted(
    (p for p in Path(sys.argv[2]).rglob("*.json.gz") if "_CloudTrail_" in p.name),
    key=lambda p: (p.name.split("_")[3], p.name),
)
if sys.argv[6] == "path":
    files = [Path(sys.argv[2])]
detection = None
if sys.argv[3] == "on":
    detector = Timed(DetectorContext(data_dir))
    detection = Detection(data_dir, AlertStore.for_data_dir(data_dir), detectors=[detector])
started = time.perf_counter()
with Ingestor(data_dir, detection=detection) as ingestor:
    ingestor.ingest_paths(files)
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


HUNT = """
import sys, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from trailhound.analytics.detector import AnalyticsDetector
from trailhound.analytics.profiles import train
from trailhound.data_dir import DataDir
from trailhound.detect.base import DetectorContext
from trailhound.detect.detection import Detection
from trailhound.incidents.alerts import AlertStore
from trailhound_demo.events import EPOCH
data_dir = DataDir(Path(sys.argv[1]))
train(data_dir)
detector = AnalyticsDetector(DetectorContext(data_dir))
detection = Detection(data_dir, AlertStore.for_data_dir(data_dir), detectors=[detector])
since = datetime.now(UTC) - (EPOCH + timedelta(days=float(sys.argv[2])))
started = time.perf_counter()
found = detection.hunt(since)
print(time.perf_counter() - started, len(found))
"""


def run_child(argv: list[str]) -> list[float]:
    """Run a child; the numbers it printed last."""
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return [float(x) for x in done.stdout.split()[-3:] if x.replace(".", "", 1).isdigit()]


def generate(events: int, seed: int, days: int, workdir: Path) -> tuple[Path, Path]:
    """The demo data set and Tor list for this size, seed and span, generated once."""
    logs = workdir / f"logs-{events}-{seed}-{days}d"
    marker = logs / ".complete"
    if not marker.exists():
        shutil.rmtree(logs, ignore_errors=True)
        from trailhound_demo.generator import generate_demo

        started = time.perf_counter()
        summary = generate_demo(logs, events=events, seed=seed, days=days)
        print(f"generated {summary.events:,} events in {time.perf_counter() - started:.1f} s")
        marker.touch()
    from trailhound_demo.intel import write_demo_tor_list

    return logs, write_demo_tor_list(workdir / "demo-tor.txt")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=34, help="the span; stories on its end")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode; best is kept")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    parser.add_argument(
        "--training", default="declared", help="the analytics-training setting (a duration)"
    )
    parser.add_argument(
        "--order",
        choices=("delivery", "path"),
        default="delivery",
        help="files in delivery order (live) or the folder in path order (a backfill)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    logs, tor = generate(args.events, args.seed, args.days, args.workdir)

    # Alternate the two modes and keep each one's best run: the machine's load varies.
    times = {"off": float("inf"), "on": float("inf")}
    inside = float("inf")
    for _ in range(args.rounds):
        for mode in ("off", "on"):
            store = args.workdir / f"analytics-store-{mode}"
            shutil.rmtree(store, ignore_errors=True)
            wall, detector = run_child(
                [
                    sys.executable,
                    "-c",
                    INGEST,
                    str(store),
                    str(logs),
                    mode,
                    str(tor),
                    args.training,
                    args.order,
                ]
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
        f"{rows:,.0f} profile values); a count over the same lake: {scan:.2f} s; "
        f"10M events at this rate: {10_000_000 / (n / trained):,.0f} s"
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
    quality(store, args.events, args.seed, args.days)

    # A backfill the analytics did not watch: the lake without detection, trained, then hunted
    # over the days after the first-seen detectors' training (the profiles' first events).
    hunted = args.workdir / "analytics-store-off"
    start = max(0, args.days - 4)
    seconds, found = run_child([sys.executable, "-c", HUNT, str(hunted), str(start)])
    print(
        f"hunt after train on the lake ingested without detection, from day {start}: "
        f"{found:.0f} analytics alerts in {seconds:.1f} s"
    )
    quality(hunted, args.events, args.seed, args.days)


def story_events(events: int, seed: int, days: int) -> dict[str, set[str]]:
    """The event IDs of each attack story the demo of this size, seed and span holds."""
    from trailhound_demo.population import build_population
    from trailhound_demo.stories import labelled_stories

    told = labelled_stories(build_population(seed), seed, events, days)
    return {name: {str(r.record["eventID"]) for r in records} for name, records in told.items()}


def quality(store: Path, events: int, seed: int, days: int) -> None:
    """Stories caught, benign alerts and benign alerts per million events, per detector."""
    from trailhound.analytics.catalog import ANALYTICS
    from trailhound.data_dir import DataDir
    from trailhound.store.state import StateDB

    stories = story_events(events, seed, days)
    owner = {event: name for name, ids in stories.items() for event in ids}
    with StateDB(DataDir(store).state_db).connect(read_only=True) as con:
        rows = con.execute(
            "SELECT a.id, a.rule_id, list(e.event_id) FROM alerts AS a "
            "JOIN alert_events AS e ON e.alert_id = a.id WHERE a.source = 'analytics' "
            "GROUP BY ALL"
        ).fetchall()
    detector_of = {rule_id: a.name for a in ANALYTICS for rule_id in a.infos()}
    caught: dict[str, set[str]] = {a.name: set() for a in ANALYTICS}
    benign: dict[str, int] = {a.name: 0 for a in ANALYTICS}
    for _, rule_id, event_ids in rows:
        name = detector_of.get(rule_id, rule_id)
        hit = {owner[e] for e in event_ids if e in owner}
        caught.setdefault(name, set()).update(hit)
        benign[name] = benign.get(name, 0) + (0 if hit else 1)
    total = sum(benign.values())
    print(
        f"quality on {events:,} demo events ({len(stories)} stories: {', '.join(stories)}): "
        f"{total} benign analytics alerts ({total / events * 1e6:,.0f} per M events)"
    )
    print(f"  {'detector':34} {'stories':>7} {'benign':>7} {'per M':>7}")
    for name in sorted(caught):
        print(
            f"  {name:34} {len(caught[name]):>7} {benign[name]:>7} "
            f"{benign[name] / events * 1e6:>7,.0f}  {', '.join(sorted(caught[name]))}"
        )
    missed = set(stories) - set().union(*caught.values())
    print(f"stories no analytics detector caught: {', '.join(sorted(missed)) or 'none'}")


if __name__ == "__main__":
    main()
