"""Intel enrichment benchmark: what the ``src_*`` fields cost ingest, a list update and queries.

    python bench/enrich.py [--events N] [--seed S] [--workdir DIR]

1. generates N demo events in S3 layout (cached in the work directory by N and seed, shared with
   bench/ingest.py);
2. ingests them in child processes, detection off, alternating (a) without enrichment, the
   baseline, and (b) with it (every batch's new source addresses looked up and added to the
   table), ``--rounds`` times each, best run kept; also the time (b) spent enriching, measured
   inside it, which the machine's load disturbs less than the difference of two runs;
3. times ``trailhound intel update --tor`` over the ingested lake: a whole rebuild of the table;
4. times queries that name an enrichment field against the same queries naming a stored column,
   and a count that names none (the join is then skipped), best of three.
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

INGEST = """
import sys
from pathlib import Path
from trailhound.data_dir import DataDir
from trailhound.ingest import IngestOptions, Ingestor
with Ingestor(DataDir(Path(sys.argv[1])), options=IngestOptions(enrich=sys.argv[3] == "on")) as i:
    i.ingest_paths([Path(sys.argv[2])])
    print(i.enricher.seconds)
"""

QUERIES = {
    "count all (no src_* field: join skipped)": (
        "dataset = cloudtrail | comp count() as n",
        None,
    ),
    "count by src_country vs by awsRegion": (
        "dataset = cloudtrail | comp count() as n by src_country | sort n desc",
        "dataset = cloudtrail | comp count() as n by awsRegion | sort n desc",
    ),
    "filter src_is_tor = true vs errorCode = AccessDenied": (
        "dataset = cloudtrail | filter src_is_tor = true | comp count() as n by sourceIPAddress",
        'dataset = cloudtrail | filter errorCode = "AccessDenied" | comp count() as n by '
        "sourceIPAddress",
    ),
}


def run_child(argv: list[str]) -> tuple[float, str]:
    """Run a command; returns wall seconds and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout


def generate(events: int, seed: int, workdir: Path) -> Path:
    """The demo data set for this size and seed, generated once (bench/ingest.py's cache)."""
    logs = workdir / f"logs-{events}-{seed}"
    marker = logs / ".complete"
    if not marker.exists():
        shutil.rmtree(logs, ignore_errors=True)
        from trailhound_demo.generator import generate_demo

        started = time.perf_counter()
        summary = generate_demo(logs, events=events, seed=seed)
        print(f"generated {summary.events:,} events in {time.perf_counter() - started:.1f} s")
        marker.touch()
    return logs


def best_of_three(engine: object, text: str) -> float:
    """Best wall time of three runs of a query through the compiler and the engine."""
    from trailhound.query.compiler import compile_query
    from trailhound.store.engine import QueryEngine

    assert isinstance(engine, QueryEngine)
    compiled = compile_query(text)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        engine.execute(compiled.sql("duckdb"))
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode; best is kept")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    logs = generate(args.events, args.seed, args.workdir)

    # Alternate the two modes and keep each one's best run: the machine's load varies.
    times: dict[str, float] = {"off": float("inf"), "on": float("inf")}
    inside = float("inf")
    for _ in range(args.rounds):
        for mode in ("off", "on"):
            store = args.workdir / f"enrich-store-{mode}"
            shutil.rmtree(store, ignore_errors=True)
            seconds, printed = run_child(
                [sys.executable, "-c", INGEST, str(store), str(logs), mode]
            )
            times[mode] = min(times[mode], seconds)
            if mode == "on":
                inside = min(inside, float(printed.split()[-1]))
    cost = times["on"] - times["off"]
    print(
        f"ingest {args.events:,} events (best of {args.rounds}): without enrichment "
        f"{times['off']:.1f} s ({args.events / times['off']:,.0f} events/s), with it "
        f"{times['on']:.1f} s ({args.events / times['on']:,.0f} events/s): enrichment costs "
        f"{cost:+.1f} s ({cost / times['off']:+.1%}); measured inside the ingest: {inside:.2f} s "
        f"({inside / times['on']:.1%} of its run)"
    )

    from trailhound.data_dir import DataDir
    from trailhound.store.engine import QueryEngine
    from trailhound.store.enrichment import EnrichmentFiles

    data_dir = DataDir(args.workdir / "enrich-store-on")
    generation, files = EnrichmentFiles(data_dir).snapshot()
    size = sum(f.stat().st_size for f in files)
    with QueryEngine(data_dir) as engine:
        _, rows = engine.execute("SELECT count(DISTINCT source_ip_address) FROM cloudtrail")
    print(
        f"enrichment table: {rows[0][0]:,} distinct sources in {len(files)} file(s), "
        f"{size / 1024:,.0f} KiB, intel {generation.intel_version if generation else None}"
    )

    tor = args.workdir / "bench-tor.txt"
    tor.write_text("185.220.101.1\n171.25.193.77\n185.220.100.252\n")
    cli = [sys.executable, "-m", "trailhound.cli", "--data-dir", str(data_dir.root), "intel"]
    rebuild, _ = run_child([*cli, "update", "--tor", str(tor)])
    with QueryEngine(data_dir) as engine:
        _, tor_rows = engine.execute(
            "SELECT count(DISTINCT source_ip_address) FROM cloudtrail WHERE src_is_tor"
        )
    reset, _ = run_child([*cli, "update", "--reset", "tor"])
    print(
        f"intel update --tor (rebuild over {args.events:,} events, child process): "
        f"{rebuild:.2f} s ({tor_rows[0][0]} sources now Tor exits); --reset tor: {reset:.2f} s"
    )

    with QueryEngine(data_dir) as engine:
        for label, (enriched, plain) in QUERIES.items():
            ours = best_of_three(engine, enriched)
            if plain is None:
                with QueryEngine(DataDir(args.workdir / "enrich-store-off")) as bare:
                    base = best_of_three(bare, enriched)
                print(
                    f"{label}: {ours * 1000:8.1f} ms; store never enriched: {base * 1000:8.1f} ms"
                )
            else:
                base = best_of_three(engine, plain)
                print(f"{label}: {ours * 1000:8.1f} ms vs {base * 1000:8.1f} ms")
    if os.environ.get("BENCH_KEEP") != "1":
        for mode in ("off", "on"):
            shutil.rmtree(args.workdir / f"enrich-store-{mode}", ignore_errors=True)


if __name__ == "__main__":
    main()
