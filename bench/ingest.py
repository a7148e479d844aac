"""Ingest benchmark: trailhound end to end against DuckDB's own JSON reader, same files, one run.

    python bench/ingest.py [--events N] [--seed S] [--workdir DIR] [--keep]

1. generates N demo events in S3 layout (cached in the work directory by N and seed);
2. (a) `trailhound ingest` into an empty data directory, in a child process;
3. (b) DuckDB `read_json` of the same files into a table, in a child process: auto-detected
   (what a user would type) and with an explicit `Records` type (DuckDB at its best);
4. prints events/s of each, the ratios, and each child's peak RSS;
5. times opening the query engine against a bare view over the lake's glob, and five typical
   queries over the ingested lake (best of three runs each).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trailhound.data_dir import DataDir

BASELINES = {
    "duckdb read_json (auto-detect)": (
        "CREATE TABLE events AS SELECT unnest(Records, recursive := true) "
        "FROM read_json({files}, maximum_object_size = 268435456)"
    ),
    "duckdb read_json (Records JSON[])": (
        "CREATE TABLE events AS SELECT unnest(Records) AS record FROM read_json({files}, "
        "columns = {{'Records': 'JSON[]'}}, records = true, format = 'unstructured', "
        "maximum_object_size = 67108864)"
    ),
}

QUERIES = {
    "count all": "dataset = cloudtrail | comp count() as n",
    "top event names": "dataset = cloudtrail | comp count() as n by eventName | sort n desc "
    "| limit 10",
    "errors by actor": "dataset = cloudtrail | filter errorCode != null "
    "| comp count() as n by actor | sort n desc | limit 10",
    "one event name, 7 days": "config timeframe = 3650d | dataset = cloudtrail "
    '| filter eventName = "CreateAccessKey" | fields eventTime, actor, sourceIPAddress',
    "json field": 'dataset = cloudtrail | filter requestParameters.bucketName contains "log" '
    "| comp count_distinct(actor) as actors",
}


def run_child(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run a command; returns wall seconds and the child's peak RSS in bytes."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{argv[:3]} failed with status {status}")
    return elapsed, usage.ru_maxrss * 1024


def generate(events: int, seed: int, workdir: Path) -> Path:
    """The demo data set for this size and seed, generated once."""
    logs = workdir / f"logs-{events}-{seed}"
    marker = logs / ".complete"
    if not marker.exists():
        shutil.rmtree(logs, ignore_errors=True)
        from trailhound_demo.generator import generate_demo

        started = time.perf_counter()
        summary = generate_demo(logs, events=events, seed=seed)
        print(
            f"generated {summary.events:,} events in {summary.files:,} files "
            f"in {time.perf_counter() - started:.1f} s"
        )
        marker.touch()
    return logs


def open_engine(data_dir: DataDir) -> None:
    """Time opening the query engine (a snapshot of the lake's files, a locked-down connection)
    against a bare DuckDB view over the lake's glob, which sees no snapshot (best of three)."""
    import duckdb

    from trailhound.store.engine import QueryEngine
    from trailhound.store.lake import HIVE_TYPES, ParquetLake

    lake = ParquetLake(data_dir)
    glob = str(lake.root / "*" / "*" / "*.parquet")
    ours = baseline = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        QueryEngine(data_dir).close()
        ours = min(ours, time.perf_counter() - started)
        started = time.perf_counter()
        con = duckdb.connect()
        con.execute(
            f"CREATE VIEW cloudtrail AS SELECT * FROM read_parquet('{glob}', "
            f"hive_partitioning = true, hive_types = {HIVE_TYPES}, union_by_name = true)"
        )
        con.close()
        baseline = min(baseline, time.perf_counter() - started)
    print(
        f"open the query engine ({len(lake.files()):,} files): {ours * 1000:8.1f} ms; "
        f"a bare view over the glob: {baseline * 1000:8.1f} ms"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    parser.add_argument("--keep", action="store_true", help="keep the ingested data directory")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    logs = generate(args.events, args.seed, args.workdir)
    files = sorted(str(p) for p in logs.rglob("*_CloudTrail_*.json.gz"))
    size = sum(Path(f).stat().st_size for f in files)
    print(
        f"input: {len(files):,} CloudTrail files, {size / 1e6:,.1f} MB gzip, {args.events:,} events"
    )

    data_dir = args.workdir / "store"
    shutil.rmtree(data_dir, ignore_errors=True)
    trailhound = str(Path(sys.executable).with_name("trailhound"))
    plain_dir = args.workdir / "store-no-detect"
    shutil.rmtree(plain_dir, ignore_errors=True)
    ours, ours_rss = run_child(
        [trailhound, "--data-dir", str(plain_dir), "ingest", "--no-detect", str(logs)]
    )
    ours_rate = args.events / ours
    print(
        f"(a) trailhound ingest --no-detect: {ours:6.2f} s {ours_rate:10,.0f} events/s  "
        f"peak RSS {ours_rss / 1e6:,.0f} MB"
    )
    shutil.rmtree(plain_dir, ignore_errors=True)
    detecting, detect_rss = run_child(
        [trailhound, "--data-dir", str(data_dir), "ingest", str(logs)]
    )
    print(
        f"(a) trailhound ingest (rules on every batch): {detecting:6.2f} s "
        f"{args.events / detecting:10,.0f} events/s  peak RSS {detect_rss / 1e6:,.0f} MB  "
        f"→ detection adds {100 * (detecting / ours - 1):.0f}%"
    )

    file_list = "'" + str(logs / "**" / "*_CloudTrail_*.json.gz") + "'"
    for name, template in BASELINES.items():
        script = (
            "import duckdb; con = duckdb.connect(); "
            f"con.execute({template.format(files=file_list)!r})"
        )
        seconds, rss = run_child([sys.executable, "-c", script])
        rate = args.events / seconds
        print(
            f"(b) {name}: {seconds:6.2f} s {rate:10,.0f} events/s  peak RSS {rss / 1e6:,.0f} MB"
            f"  → trailhound/baseline = {ours_rate / rate:.2f}×"
        )

    from trailhound.query.compiler import compile_query
    from trailhound.store.engine import QueryEngine

    open_engine(DataDir(data_dir))
    with QueryEngine(DataDir(data_dir)) as engine:
        count = engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0]
        print(f"stored events: {count:,}")
        for name, text in QUERIES.items():
            compiled = compile_query(text)
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                engine.execute(compiled.expression)
                best = min(best, time.perf_counter() - started)
            print(f"query {name!r}: {best * 1000:8.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"bench process (queries) peak RSS {peak:,.0f} MB")
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
