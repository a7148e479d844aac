"""Scale benchmark: ingest by 1, 2 and 4 processes; queries and the rule pack's hunt on DuckDB
and on Spark local over the same lake, side by side.

    python bench/scale.py [--events N ...] [--seed S] [--workdir DIR] [--spark-master M]
                          [--collectors 1 2 4]

For each size (default 1,000,000 events; give --events several times for a curve):

1. generates the demo data set (cached in the work directory by size and seed);
2. ingests it with 1, 2 and 4 `trailhound ingest --no-detect` processes at once into one fresh
   data directory, each process given its share of the log files (what several collectors on
   one host do: they normalize in parallel and commit one at a time), and prints events/s; the
   single-process run's lake is the one the queries read;
3. opens DuckDB's query engine and runs each query three times (the best run counts);
4. on one Spark session for the whole run (its start-up is timed once, apart): creates the
   views over the same lake, runs each query once cold (Spark compiles its plan's code on first
   use) and three times warm, and checks that its rows are DuckDB's;
5. hunts with the whole rule pack (one scan, the SQL `detect` runs) on both engines, and checks
   that the matches are the same;
6. prints both engines' times per query, then how each grows from one size to the next.

Finally it times the whole command, `trailhound query` against `trailhound query --engine spark`
(a new JVM), on the largest size.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from trailhound.data_dir import DataDir

QUERIES = {
    "count all": "comp count() as n",
    "top event names": "comp count() as n by eventName | sort n desc, eventName | limit 10",
    "errors by actor": "filter errorCode != null | comp count() as n by actor "
    "| sort n desc, actor | limit 10",
    "one event name": 'filter eventName = "CreateAccessKey" '
    "| fields eventTime, actor, sourceIPAddress",
    "json field": 'filter requestParameters.bucketName contains "log" '
    "| comp count_distinct(actor) as actors",
    "hourly by service": "bin eventTime span = 1h | comp count() as n by eventTime, eventSource",
    "window: gap per key": "filter userIdentity.accessKeyId != null "
    "| windowcomp lag(eventTime) by userIdentity.accessKeyId sort eventTime, eventId as previous "
    '| alter gap = timestamp_diff(eventTime, previous, "second") '
    "| comp max(gap) as longest, count() as calls",
    "join: role sessions": 'filter eventName = "AssumeRole" '
    "and responseElements.credentials.accessKeyId != null "
    "| fields eventId, responseElements.credentials.accessKeyId as session_key "
    "| join (filter userIdentity.accessKeyId != null "
    "| comp count() as calls by userIdentity.accessKeyId) as used "
    "session_key = used.userIdentity.accessKeyId | comp count() as sessions, sum(calls) as calls",
}
REPEAT = 3
Timings = dict[str, tuple[float, float, float]]  # query → (duckdb best, spark cold, spark best)


def generate(events: int, seed: int, workdir: Path) -> Path:
    """The demo logs of this size (cached by size and seed)."""
    logs = workdir / f"logs-{events}-{seed}"
    if not (logs / ".complete").exists():
        shutil.rmtree(logs, ignore_errors=True)
        from trailhound_demo.generator import generate_demo

        started = time.perf_counter()
        generate_demo(logs, events=events, seed=seed)
        (logs / ".complete").touch()
        print(f"generated {events:,} events in {time.perf_counter() - started:.0f} s")
    return logs


def ingest(logs: Path, store: Path, processes: int) -> float:
    """Wall seconds of ``processes`` ingest processes at once, each over its share of the files
    (hard links in a folder of its own), into one fresh data directory."""
    shutil.rmtree(store, ignore_errors=True)
    files = sorted(p for p in logs.rglob("*.json.gz"))
    shares = [store.parent / f"{store.name}-share{n}" for n in range(processes)]
    for n, share in enumerate(shares):
        shutil.rmtree(share, ignore_errors=True)
        for file in files[n::processes]:
            target = share / file.relative_to(logs)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(file, target)
    trailhound = str(Path(sys.executable).with_name("trailhound"))
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [trailhound, "--data-dir", str(store), "ingest", "--no-detect", str(share)],
            stdout=subprocess.DEVNULL,
        )
        for share in shares
    ]
    if any(p.wait() for p in running):
        raise SystemExit("an ingest process failed")
    seconds = time.perf_counter() - started
    for share in shares:
        shutil.rmtree(share, ignore_errors=True)
    return seconds


def measure_ingest(events: int, logs: Path, workdir: Path, counts: list[int]) -> DataDir:
    """Ingest events/s by 1, 2, 4 … processes; returns the single process's lake."""
    print(f"\ningest of {events:,} events, processes at once into one data directory:")
    base: float | None = None
    for processes in sorted(set(counts) | {1}):
        store = workdir / f"store-{events}-{processes}p"
        seconds = ingest(logs, store, processes)
        base = base or seconds
        print(
            f"  {processes} process{'es' if processes > 1 else '  '} {seconds:7.1f} s "
            f"{events / seconds:10,.0f} events/s   {base / seconds:4.2f}× one process"
        )
        if processes != 1:
            shutil.rmtree(store, ignore_errors=True)
    return DataDir(workdir / f"store-{events}-1p")


def measure_detect(data_dir: DataDir, session: Any) -> tuple[float, float, float, int]:
    """The rule pack's hunt (one scan) on DuckDB, then on Spark cold and warm; the matches."""
    from trailhound.detect.engine import load_rules, run_rules
    from trailhound.store.duckdb import DuckDBBackend
    from trailhound.store.spark import SparkBackend

    ruleset = load_rules()
    placeholders: dict[str, list[str]] = {"org_accounts": []}
    with DuckDBBackend.open(data_dir) as duck:
        duck_best, on_duckdb = best_of(lambda: run_rules(duck, "cloudtrail", ruleset, placeholders))
    with SparkBackend(data_dir, session=session) as on_spark:
        started = time.perf_counter()
        run_rules(on_spark, "cloudtrail", ruleset, placeholders)
        cold = time.perf_counter() - started
        spark_best, found = best_of(
            lambda: run_rules(on_spark, "cloudtrail", ruleset, placeholders)
        )
    if sorted(m.event_id + m.rule_id for m in on_duckdb) != sorted(
        m.event_id + m.rule_id for m in found
    ):
        print("  !! hunt: the engines' matches differ")
    return duck_best, cold, spark_best, len(on_duckdb)


def best_of(run: Any) -> tuple[float, Any]:
    """The best wall time of ``REPEAT`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(data_dir: DataDir, session: Any) -> Timings:
    """Every query on DuckDB and on Spark over one lake; checks both give the same rows."""
    from trailhound.query import compile_query
    from trailhound.store.engine import QueryEngine
    from trailhound.store.spark import SparkBackend

    timings: Timings = {}
    started = time.perf_counter()
    engine = QueryEngine(data_dir)
    duck_open = time.perf_counter() - started
    started = time.perf_counter()
    backend = SparkBackend(data_dir, session=session)
    spark_open = time.perf_counter() - started
    count = engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0]
    files = len(backend.lake.files())
    print(
        f"\n{count:,} events in {files:,} files: open the views: DuckDB {duck_open * 1000:,.0f} ms"
        f", Spark {spark_open * 1000:,.0f} ms (lists the same files, builds the DataFrame)"
    )
    for name, text in QUERIES.items():
        compiled = compile_query(text)
        duck_sql, spark_sql = compiled.sql("duckdb"), compiled.sql(backend.dialect)
        duck_best, duck_rows = best_of(lambda: engine.execute(duck_sql)[1])  # noqa: B023
        started = time.perf_counter()
        backend.execute(spark_sql)
        cold = time.perf_counter() - started
        spark_best, result = best_of(lambda: backend.execute(spark_sql))  # noqa: B023
        if sorted(map(repr, duck_rows)) != sorted(map(repr, result.rows)):
            print(f"  !! {name}: the engines' rows differ")
        timings[name] = (duck_best, cold, spark_best)
    engine.close()
    backend.close()
    return timings


def print_size(events: int, timings: Timings) -> None:
    print(f"{'query':24} {'DuckDB':>10} {'Spark cold':>11} {'Spark warm':>11} {'Spark/DuckDB':>13}")
    for name, (duck, cold, warm) in timings.items():
        print(
            f"{name:24} {duck * 1000:8.0f} ms {cold * 1000:8.0f} ms {warm * 1000:8.0f} ms "
            f"{warm / duck:12.1f}×"
        )
    duck_total = sum(t[0] for t in timings.values())
    warm_total = sum(t[2] for t in timings.values())
    print(
        f"{'all queries':24} {duck_total * 1000:8.0f} ms {'':>11} {warm_total * 1000:8.0f} ms "
        f"{warm_total / duck_total:12.1f}×   ({events:,} events)"
    )


def print_growth(results: dict[int, Timings]) -> None:
    sizes = sorted(results)
    for small, large in itertools.pairwise(sizes):
        factor = large / small
        print(f"\ngrowth from {small:,} to {large:,} events ({factor:.0f}× the data):")
        for name in results[large]:
            duck = results[large][name][0] / results[small][name][0]
            spark = results[large][name][2] / results[small][name][2]
            print(f"  {name:24} DuckDB {duck:6.1f}×   Spark {spark:6.1f}×")


def whole_command(data_dir: DataDir, master: str | None) -> None:
    """Wall time of one `trailhound query` per engine, process start to exit."""
    trailhound = str(Path(sys.executable).with_name("trailhound"))
    text = QUERIES["top event names"]
    for engine in ("duckdb", "spark"):
        argv = [trailhound, "--data-dir", str(data_dir.root), "query", text, "-f", "json"]
        argv += ["--engine", engine] + (["--spark-master", master] if master else [])
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"trailhound query --engine {engine}: {time.perf_counter() - started:6.1f} s wall")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, action="append")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    parser.add_argument("--spark-master", default=None, help="default local[2]")
    parser.add_argument("--collectors", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    sizes = sorted(set(args.events or [1_000_000]))
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; sizes: {', '.join(f'{n:,}' for n in sizes)} events")
    lakes = {
        events: measure_ingest(
            events, generate(events, args.seed, args.workdir), args.workdir, args.collectors
        )
        for events in sizes
    }

    from trailhound.store.spark import spark_session

    started = time.perf_counter()
    session = spark_session(args.spark_master)
    up = time.perf_counter() - started
    started = time.perf_counter()
    session.range(1).count()
    first_job = time.perf_counter() - started
    print(f"Spark start-up: session {up:.1f} s, first job {first_job:.1f} s (paid once a process)")

    results: dict[int, Timings] = {}
    for events, data_dir in lakes.items():
        results[events] = measure(data_dir, session)
        print_size(events, results[events])
        duck, cold, warm, matches = measure_detect(data_dir, session)
        results[events]["hunt (rule pack)"] = (duck, cold, warm)
        print(
            f"{'hunt (rule pack)':24} {duck * 1000:8.0f} ms {cold * 1000:8.0f} ms "
            f"{warm * 1000:8.0f} ms {warm / duck:12.1f}×   ({matches:,} matches)"
        )
    session.stop()
    print_growth(results)
    print()
    whole_command(lakes[sizes[-1]], args.spark_master)


if __name__ == "__main__":
    main()
