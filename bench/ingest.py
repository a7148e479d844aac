"""Ingest benchmark: trailhound end to end against DuckDB's own best bulk load, same files, one run.

    python bench/ingest.py [--events N] [--seed S] [--workdir DIR] [--keep] [--no-queries]
    python bench/ingest.py --curve 100000,1000000,10000000   # the throughput curve alone

1. generates N demo events in S3 layout (cached in the work directory by N and seed);
2. (a) `trailhound ingest --no-detect`, then `trailhound ingest` (rules on every batch), each
   into an empty data directory in a child process: events/s of wall time and of CPU time, peak
   RSS, and the share of each stage from the run's record (``ingest_runs.stage_seconds``); the
   load stage (one DuckDB statement) is split into read+decompress, parse and normalize in the
   proportions measured on the same files alone (step 4);
3. (b) the baseline: DuckDB `read_json` with an explicit schema and `records = true`, unnested
   into a typed table and written as zstd Parquet (no normalization, no dedupe, nothing raw);
4. the load pieces alone, in this process: gzip decompression (Python's zlib, one core), DuckDB's
   JSON parse (`Records` as `JSON[]`), and the full normalizing statement into a table;
5. times opening the query engine, and five typical queries over the ingested lake (best of
   three runs each).

The machine is shared: wall figures move with the load, CPU figures much less; both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from trailhound.data_dir import DataDir

QUERIES = {
    "count all": "dataset = cloudtrail | comp count() as n",
    "top event names": "dataset = cloudtrail | comp count() as n by eventName | sort n desc "
    "| limit 10",
    "errors by actor": "dataset = cloudtrail | filter errorCode != null "
    "| comp count() as n by actor | sort n desc | limit 10",
    "one event name, 7 days": "config timeframe = 3650d | dataset = cloudtrail "
    '| filter eventName = "CreateAccessKey" | fields eventTime, actor, sourceIPAddress',
    "bucketName filter (promoted column)": "dataset = cloudtrail "
    '| filter requestParameters.bucketName contains "log" | comp count_distinct(actor) as actors',
    "bucketName filter (JSON lookup, as before)": "dataset = cloudtrail "
    '| filter json_extract(requestParameters, "$.bucketName") contains "log" '
    "| comp count_distinct(actor) as actors",
}


@dataclass(frozen=True, slots=True)
class Run:
    """What one child process cost."""

    wall: float
    cpu: float  # user + system seconds of the child and its threads
    rss: int  # peak resident set, bytes

    def line(self, events: int) -> str:
        """Events/s of wall and CPU time, and the peak RSS."""
        return (
            f"{self.wall:7.2f} s {events / self.wall:9,.0f} events/s  "
            f"(CPU {self.cpu:6.2f} s, {events / self.cpu:9,.0f} events/CPU-s)  "
            f"peak RSS {self.rss / 1e6:6,.0f} MB"
        )


def run_child(argv: list[str]) -> Run:
    """Run a command to its end; what it cost."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{argv[:3]} failed with status {status}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)


# Past this many events a data set is made of parts of this size, each generated with a seed of
# its own (other accounts, other event IDs): one generator run of 10M would hold its plan in
# memory, and the parts are what a bucket receiving ten such workloads looks like.
PART_EVENTS = 1_000_000


def generate(events: int, seed: int, workdir: Path, part_events: int = PART_EVENTS) -> Path:
    """The demo data set for this size and seed, generated once."""
    logs = workdir / f"logs-{events}-{seed}"
    marker = logs / ".complete"
    if not marker.exists():
        if events > part_events and events % part_events == 0:
            logs.mkdir(parents=True, exist_ok=True)
            for part in range(events // part_events):
                _generate_once(logs / f"part-{part}", part_events, seed + part)
        else:
            _generate_once(logs, events, seed)
        marker.touch()
    return logs


def _generate_once(logs: Path, events: int, seed: int) -> None:
    """Generate one demo bucket (kept if a ``.complete`` marker says it was finished before)."""
    marker = logs / ".complete"
    if marker.exists():
        return
    shutil.rmtree(logs, ignore_errors=True)
    from trailhound_demo.generator import generate_demo

    started = time.perf_counter()
    summary = generate_demo(logs, events=events, seed=seed)
    print(
        f"generated {summary.events:,} events in {summary.files:,} files "
        f"in {time.perf_counter() - started:.1f} s"
    )
    marker.touch()


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


def baseline_sql(glob: str, target: Path) -> list[str]:
    """DuckDB at its best: an explicit schema (the typed fields and the JSON parts trailhound
    keeps), ``records = true``, unnested into a typed table, written as zstd Parquet."""
    from trailhound.normalize.records import transform_structures

    record, identity = transform_structures()
    record["userIdentity"] = identity
    record["eventTime"] = "TIMESTAMPTZ"

    def struct(shape: dict[str, object]) -> str:
        fields = ", ".join(
            f'"{k}" ' + (struct(v) if isinstance(v, dict) else str(v)) for k, v in shape.items()
        )
        return f"STRUCT({fields})"

    # A glob, not the list: thousands of paths overflow the child's argument list.
    listed = "'" + glob.replace("'", "''") + "'"
    columns = "{'Records': '" + struct(record).replace("'", "''") + "[]'}"
    return [
        "SET TimeZone = 'UTC'",
        "CREATE TABLE events AS SELECT unnest(r, recursive := true) FROM (SELECT unnest(Records) "
        f"AS r FROM read_json({listed}, columns = {columns}, records = true, "
        "format = 'unstructured', maximum_object_size = 67108864))",
        f"COPY events TO '{target}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)",
    ]


def cpu_seconds() -> float:
    """CPU seconds of this process so far, every thread."""
    times = os.times()
    return times.user + times.system


def load_pieces(files: list[str]) -> dict[str, float]:
    """CPU seconds of the load stage's pieces over the same files, each measured alone."""
    import duckdb

    from trailhound.normalize.batch import _FILES_INPUT
    from trailhound.normalize.records import normalize_sql

    started = cpu_seconds()
    for name in files:
        zlib.decompress(Path(name).read_bytes(), zlib.MAX_WBITS | 32)
    decompress = cpu_seconds() - started
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    started = cpu_seconds()
    con.execute(
        "SELECT count(*) FROM (SELECT unnest(Records) FROM read_json(?, columns = "
        "{'Records': 'JSON[]'}, records = true, format = 'unstructured', "
        "maximum_object_size = 67108864))",
        [files],
    ).fetchall()
    parse = cpu_seconds() - started
    con.execute(
        "CREATE TEMP TABLE batch_files AS SELECT unnest(?) AS path, unnest(?) AS uri, "
        "NULL::VARCHAR AS account_hint",
        [files, files],
    )
    started = cpu_seconds()
    con.execute(
        f"CREATE TEMP TABLE loaded AS {normalize_sql(_FILES_INPUT)}", [files, 67108864, 10**9]
    )
    load = cpu_seconds() - started
    con.close()
    parse = max(parse - decompress, 0.0)
    return {
        "read+decompress": decompress,
        "parse": parse,
        "normalize": max(load - parse - decompress, 0.0),
    }


def stored_stages(data_dir: Path) -> dict[str, float]:
    """Seconds per stage of the one run recorded in ``data_dir``, as the run recorded them."""
    import duckdb

    con = duckdb.connect(str(data_dir / "state.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT stage_seconds FROM ingest_runs").fetchone()
    finally:
        con.close()
    stages: dict[str, float] = json.loads(row[0]) if row and row[0] else {}
    return stages


def stage_shares(data_dir: Path, pieces: dict[str, float]) -> dict[str, float]:
    """Seconds per stage of the one run recorded in ``data_dir``, the load split into its pieces."""
    stages = stored_stages(data_dir)
    load = stages.pop("load", 0.0)
    total = sum(pieces.values()) or 1.0
    split = {name: load * seconds / total for name, seconds in pieces.items()}
    return split | stages


def print_stages(label: str, stages: dict[str, float]) -> None:
    """One line: each stage's share of the run's summed stage seconds."""
    total = sum(stages.values()) or 1.0
    shares = "  ".join(f"{k} {100 * v / total:.0f}%" for k, v in stages.items() if v >= 0.0005)
    print(f"    stages {label} ({total:.1f} s over threads): {shares}")


def curve(
    sizes: list[int], seed: int, workdir: Path, keep: bool, part_events: int = PART_EVENTS
) -> None:
    """`trailhound ingest --no-detect` over each size, each into an empty data directory: the
    throughput curve (wall and CPU), peak RSS and the stage shares of each run."""
    trailhound = str(Path(sys.executable).with_name("trailhound"))
    rows: list[tuple[int, Run]] = []
    for events in sizes:
        logs = generate(events, seed, workdir, part_events)
        data_dir = workdir / f"store-curve-{events}"
        shutil.rmtree(data_dir, ignore_errors=True)
        run = run_child(
            [trailhound, "--data-dir", str(data_dir), "ingest", "--no-detect", str(logs)]
        )
        rows.append((events, run))
        print(f"{events:>11,} events: {run.line(events)}")
        print_stages("--no-detect", stored_stages(data_dir))
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    first_events, first = rows[0]
    print("curve (events/CPU-s relative to the smallest size):")
    for events, run in rows:
        relative = (events / run.cpu) / (first_events / first.cpu)
        print(
            f"  {events:>11,}  {events / run.wall:9,.0f} ev/s  {events / run.cpu:9,.0f} ev/CPU-s"
            f"  ×{relative:4.2f}  peak RSS {run.rss / 1e6:6,.0f} MB"
        )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    parser.add_argument("--keep", action="store_true", help="keep the ingested data directory")
    parser.add_argument("--no-queries", action="store_true", help="skip the query timings")
    parser.add_argument(
        "--no-rules",
        action="store_true",
        help="skip the ingest with rules (queries read the other)",
    )
    parser.add_argument(
        "--curve",
        help="comma-separated sizes (e.g. 100000,1000000,10000000): print the throughput curve "
        "of `trailhound ingest --no-detect` over them instead; a size past 1,000,000 is made of "
        "1,000,000-event parts with seeds S, S+1, …",
    )
    parser.add_argument(
        "--part-events", type=int, default=PART_EVENTS, help="events per part of a large size"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.curve:
        sizes = [int(n) for n in args.curve.split(",")]
        curve(sizes, args.seed, args.workdir, args.keep, args.part_events)
        return
    logs = generate(args.events, args.seed, args.workdir)
    files = sorted(str(p) for p in logs.rglob("*_CloudTrail_*.json.gz"))
    size = sum(Path(f).stat().st_size for f in files)
    events = args.events
    print(f"input: {len(files):,} CloudTrail files, {size / 1e6:,.1f} MB gzip, {events:,} events")

    trailhound = str(Path(sys.executable).with_name("trailhound"))
    plain_dir = args.workdir / "store-no-detect"
    data_dir = args.workdir / "store"
    for folder in (plain_dir, data_dir):
        shutil.rmtree(folder, ignore_errors=True)
    plain = run_child(
        [trailhound, "--data-dir", str(plain_dir), "ingest", "--no-detect", str(logs)]
    )
    print(f"(a) trailhound ingest --no-detect:          {plain.line(events)}")
    detecting = None
    if not args.no_rules:
        detecting = run_child([trailhound, "--data-dir", str(data_dir), "ingest", str(logs)])
        print(
            f"(a) trailhound ingest (rules on each batch): {detecting.line(events)}  "
            f"→ detection adds {100 * (detecting.wall / plain.wall - 1):.0f}% wall"
        )
    target = args.workdir / "baseline.parquet"
    script = "import duckdb, sys; con = duckdb.connect(); [con.execute(s) for s in sys.argv[1:]]"
    base = run_child(
        [
            sys.executable,
            "-c",
            script,
            *baseline_sql(str(logs / "**" / "*_CloudTrail_*.json.gz"), target),
        ]
    )
    target.unlink(missing_ok=True)
    print(f"(b) duckdb explicit schema → zstd Parquet:  {base.line(events)}")
    print(
        f"    trailhound/baseline: {base.wall / plain.wall:.2f}× wall, "
        f"{base.cpu / plain.cpu:.2f}× CPU without rules"
        + (
            f"; {base.wall / detecting.wall:.2f}× wall, {base.cpu / detecting.cpu:.2f}× CPU "
            "with rules"
            if detecting
            else ""
        )
    )
    pieces = load_pieces(files)
    print("    load pieces alone (CPU s): " + ", ".join(f"{k} {v:.2f}" for k, v in pieces.items()))
    print_stages("--no-detect", stage_shares(plain_dir, pieces))
    if detecting:
        print_stages("with rules", stage_shares(data_dir, pieces))
    queried = data_dir if detecting else plain_dir
    if not args.no_queries:
        run_queries(DataDir(queried))
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(plain_dir, ignore_errors=True)


def run_queries(data_dir: DataDir) -> None:
    """Open the query engine and time the typical queries over the lake (best of three)."""
    from trailhound.query.compiler import compile_query
    from trailhound.store.engine import QueryEngine

    open_engine(data_dir)
    with QueryEngine(data_dir) as engine:
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


if __name__ == "__main__":
    main()
