"""Detection benchmark: the real ``detect`` path against one scan per rule, same lake, one run.

    python bench/detect.py [--events 100000] [--seed 7] [--workdir DIR] [--no-sigma]
                           [--skip-ingest-overhead]

1. generates the demo data set (the generator ``bench/ingest.py`` uses; cached by size and seed)
   and ingests it without detection (a child process, timed: the ingest baseline);
2. ingests it again with detection on every batch (the built-in pack plus SigmaHQ's CloudTrail
   rules from ``../shared/data/sigma``): what on-ingest detection adds to ingest time;
3. (a) ``trailhound detect --since all --rules <SigmaHQ>`` over the first lake, in a child process:
   every rule in one scan, matches grouped into alerts and signals in SQL, stored; the command
   the user types, timed with its peak RSS; then the same command again (a re-hunt: compiled
   rules and scan SQL from the data directory's cache, every match known already);
4. (b) the naive baseline, in a child process: each rule as its own full scan of the lake,
   collecting its (rule, event) pairs, no grouping, nothing stored;
5. cross-checks that (a) stored exactly the (rule, event) pairs (b) found (for a signal rule,
   whose matches are rolled up, that it counted as many events), and prints seconds, events/s,
   peak RSS, alerts, signals and the alerts per rule that raised most.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

SHARED_SIGMA = Path(__file__).resolve().parents[1] / "../shared/data/sigma"


def run_child(argv: list[str]) -> tuple[float, int, float]:
    """Run a command; returns wall seconds, the child's peak RSS in bytes and its CPU seconds
    (user + system over every thread: on a shared machine they say more than wall time)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{argv[:4]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def child_ingest(data_dir: Path, logs: Path, detect: bool, rules: list[Path]) -> None:
    """Ingest the logs as ``trailhound ingest`` does, with or without detection on each batch."""
    from trailhound.data_dir import DataDir
    from trailhound.detect.detection import Detection
    from trailhound.incidents.alerts import AlertStore
    from trailhound.ingest import Ingestor
    from trailhound.sources.files import FileSource

    target = DataDir(data_dir)
    detection = (
        Detection(target, AlertStore.for_data_dir(target), rule_dirs=rules) if detect else None
    )
    with Ingestor(target, detection=detection) as ingestor:
        ingestor.ingest(FileSource([logs]))


def child_naive(data_dir: Path, rules: list[Path], pairs: Path) -> None:
    """One full scan of the lake per rule; writes the (rule, event) pairs found to Parquet."""
    from trailhound.data_dir import DataDir
    from trailhound.detect.base import DetectorContext
    from trailhound.detect.engine import load_rules, rule_predicates
    from trailhound.detect.rules_detector import SigmaDetector
    from trailhound.query.dialects import get_dialect
    from trailhound.store.duckdb import DuckDBBackend

    target = DataDir(data_dir)
    detector = SigmaDetector(DetectorContext(target), ruleset=load_rules(rules))
    wanted = [r for r in detector.ruleset.rules if r.generate or r.signal]
    dialect = get_dialect("duckdb")
    with DuckDBBackend.open(target) as backend:
        accounts = [str(a) for (a,) in backend.con.execute(
            "SELECT DISTINCT account FROM cloudtrail").fetchall() if a]  # fmt: skip
        placeholders = detector._placeholders(accounts)
        backend.con.execute("CREATE TABLE pairs (rule_id VARCHAR, event_id VARCHAR)")
        for rule, predicate in zip(wanted, rule_predicates(wanted, placeholders), strict=True):
            sql = f"SELECT ?, event_id FROM cloudtrail WHERE {dialect.generate(predicate)}"
            backend.con.execute(f"INSERT INTO pairs {sql}", [rule.id])
        backend.con.execute(f"COPY pairs TO '{pairs}' (FORMAT parquet)")


def generate(events: int, seed: int, workdir: Path) -> Path:
    """The demo data set for this size and seed (``bench/ingest.py``'s, shared cache)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from ingest import generate as generate_logs  # the same generator and cache

    return generate_logs(events, seed, workdir)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    parser.add_argument("--no-sigma", action="store_true", help="the built-in pack only")
    parser.add_argument(
        "--skip-ingest-overhead", action="store_true", help="leave out step 2 (on-ingest)"
    )
    parser.add_argument("--child", choices=("ingest", "ingest-detect", "naive"))
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--logs", type=Path)
    parser.add_argument("--pairs", type=Path)
    parser.add_argument("--rules", type=Path, action="append", default=[])
    args = parser.parse_args()
    if args.child in ("ingest", "ingest-detect"):
        child_ingest(args.data_dir, args.logs, args.child == "ingest-detect", args.rules)
        return
    if args.child == "naive":
        child_naive(args.data_dir, args.rules, args.pairs)
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    logs = generate(args.events, args.seed, args.workdir)
    rules = [] if args.no_sigma or not SHARED_SIGMA.is_dir() else [SHARED_SIGMA.resolve()]
    rule_args = [a for r in rules for a in ("--rules", str(r))]
    me = [sys.executable, str(Path(__file__).resolve())]
    store = args.workdir / f"detect-store-{args.events}-{args.seed}"
    shutil.rmtree(store, ignore_errors=True)
    base = ["--data-dir", str(store), "--logs", str(logs), *rule_args]
    plain = [*me, "--child", "ingest", *base]
    ingest_s, ingest_rss, ingest_cpu = run_child(plain)
    rate = args.events / ingest_s
    print(f"rules: built-in pack{' + SigmaHQ CloudTrail' if rules else ''}; {args.events:,} events"
          f"; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(f"ingest, no detection        : {ingest_s:7.2f} s {rate:10,.0f} events/s  "
          f"peak RSS {ingest_rss / 1e6:6,.0f} MB  cpu {ingest_cpu:6.1f} s")  # fmt: skip
    if not args.skip_ingest_overhead:
        detecting = args.workdir / f"detect-store-ingest-{args.events}-{args.seed}"
        shutil.rmtree(detecting, ignore_errors=True)
        on_ingest = ["--data-dir", str(detecting), "--logs", str(logs), *rule_args]
        detect_argv = [*me, "--child", "ingest-detect", *on_ingest]
        with_s, with_rss, with_cpu = run_child(detect_argv)
        shutil.rmtree(detecting, ignore_errors=True)
        added_cpu = with_cpu / max(ingest_cpu, 1e-9)
        print(f"ingest, detection per batch : {with_s:7.2f} s {args.events / with_s:10,.0f} "
              f"events/s  peak RSS {with_rss / 1e6:6,.0f} MB  cpu {with_cpu:6.1f} s  → detection "
              f"adds {100 * (with_s / ingest_s - 1):.0f}% wall, "
              f"{100 * (added_cpu - 1):.0f}% CPU")  # fmt: skip

    trailhound = str(Path(sys.executable).with_name("trailhound"))
    hunt = [trailhound, "--data-dir", str(store), "detect", "--since", "all", "--format", "json"]
    ours_argv = [*hunt, *rule_args]
    ours, ours_rss, ours_cpu = run_child(ours_argv)
    # The same hunt again: rules and scan SQL come from the data directory's cache, every match
    # is known (nothing new to store): what a scheduled re-hunt costs.
    again, again_rss, again_cpu = run_child(ours_argv)
    pairs = args.workdir / f"detect-naive-{args.events}-{args.seed}.parquet"
    naive_argv = [*me, "--child", "naive", "--data-dir", str(store), "--pairs", str(pairs),
                  *rule_args]  # fmt: skip
    naive, naive_rss, naive_cpu = run_child(naive_argv)
    print(f"(a) trailhound detect       : {ours:7.2f} s {args.events / ours:10,.0f} events/s  "
          f"peak RSS {ours_rss / 1e6:6,.0f} MB  cpu {ours_cpu:6.1f} s  (scan + grouping + "
          "storing, process start included)")  # fmt: skip
    print(f"(a) the same, run again     : {again:7.2f} s {args.events / again:10,.0f} events/s  "
          f"peak RSS {again_rss / 1e6:6,.0f} MB  cpu {again_cpu:6.1f} s  (compiled rules and "
          "scan SQL cached)")  # fmt: skip
    print(
        f"(b) one scan per rule       : {naive:7.2f} s {args.events / naive:10,.0f} events/s  "
        f"peak RSS {naive_rss / 1e6:6,.0f} MB  cpu {naive_cpu:6.1f} s  (scans only) → (b)/(a) = "
        f"{naive / ours:.1f}×"
    )
    print(f"load average after the runs: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    con = duckdb.connect(str(store / "state.duckdb"), read_only=True)
    try:
        alerts, events = con.execute("SELECT count(*), sum(count) FROM alerts").fetchone() or (0, 0)
        signals = (con.execute("SELECT count(*) FROM signals").fetchone() or (0,))[0]
        sessions = (con.execute(
            "SELECT count(DISTINCT s) FROM (SELECT unnest(sessions) AS s FROM alerts)"
        ).fetchone() or (0,))[0]  # fmt: skip
        print(f"alerts: {alerts:,} holding {events or 0:,} events; signals: {signals:,}; "
              f"assumed-role sessions named on alerts: {sessions:,}")  # fmt: skip
        for title, n, total in con.execute(
            "SELECT any_value(title), count(*), sum(count) FROM alerts GROUP BY rule_id "
            "ORDER BY 2 DESC LIMIT 5"
        ).fetchall():
            print(f"  {n:8,} alerts ({total:,} events)  {title}")
        rollups = dict(con.execute(
            "SELECT rule_id, CAST(sum(count) AS BIGINT) FROM signal_rollups GROUP BY ALL"
        ).fetchall())  # fmt: skip
        print(f"signal rollups: {len(rollups)} rules, {sum(rollups.values()):,} events counted "
              f"(signals stores only each rollup's first events)")  # fmt: skip
        stored = con.execute(
            "SELECT rule_id, event_id FROM alert_events UNION SELECT rule_id, event_id FROM signals"
        ).fetchall()
    finally:
        con.close()
    found = duckdb.sql(f"SELECT rule_id, event_id FROM '{pairs}'").fetchall()
    # Correlation alerts hold events of their base rules: compare single-event rules only; a
    # rolled-up signal rule (bounded signal policy) by its count of distinct events.
    single = {r for r, _ in found}
    ours_pairs = {p for p in stored if p[0] in single and p[0] not in rollups}
    naive_pairs = {p for p in found if p[0] not in rollups}
    naive_counts = {r: len({e for q, e in found if q == r}) for r in rollups}
    same_counts = all(naive_counts[r] == n for r, n in rollups.items())
    same = "yes" if ours_pairs == naive_pairs and same_counts else "NO"
    print(f"cross-check: same (rule, event) pairs: {same} ({len(naive_pairs):,} naive, "
          f"{len(ours_pairs):,} stored; rolled-up counts equal: {same_counts})")  # fmt: skip
    pairs.unlink(missing_ok=True)
    shutil.rmtree(store, ignore_errors=True)
    if same != "yes":
        raise SystemExit(1)


if __name__ == "__main__":
    main()
