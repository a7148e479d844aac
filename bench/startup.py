"""Start-up benchmark: what a command line call costs before and around its work.

    python bench/startup.py [--events N] [--runs R] [--workdir DIR]

1. generates N demo events (default 2,000) and ingests them into a small store (once per N);
2. runs, R times each (default 9), interleaved so that the machine's load falls on all alike:
   `python -c pass` and `python -c "import duckdb"` (the floor any Python command line over
   DuckDB pays), `trailhound --help`, and `trailhound query 'dataset = cloudtrail | limit 1'`
   over the small store twice: the first time it is asked (its kept plan removed before each
   run, so it compiles) and again (it reads the plan kept by the run before); every child runs
   as an installed command does, with its modules' bytecode cached (``PYTHONDONTWRITEBYTECODE``,
   which some shells and containers set, is dropped: without the cache each run recompiles
   trailhound's own modules, about 0.2 s);
3. prints the median and the best wall time of each, and each trailhound figure's margin over
   the `import duckdb` floor. The goal is under 0.4 s for the trailhound commands.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 0.4
QUERY = "dataset = cloudtrail | limit 1"
# Rows in a fixed order, for the cross-check of a kept plan against the compiled query.
CHECK = "dataset = cloudtrail | comp count() as n by eventName | sort n desc, eventName | limit 5"


def trailhound_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m trailhound``."""
    script = Path(sys.executable).with_name("trailhound")
    return [str(script)] if script.exists() else [sys.executable, "-m", "trailhound"]


def small_store(events: int, workdir: Path) -> Path:
    """A data directory holding ``events`` demo events (ingested once per size)."""
    store = workdir / f"store-{events}"
    marker = store / ".complete"
    if marker.exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    logs = workdir / f"logs-{events}"
    shutil.rmtree(logs, ignore_errors=True)
    try:
        from trailhound_demo import generate_demo
    except ImportError:
        raise SystemExit("needs the demo generator: make install (or pip install -e .)") from None
    generate_demo(logs, events=events, seed=7)
    from trailhound.app import Trailhound

    summary = Trailhound(store).ingest_paths([logs], detect=False)
    print(f"small store: {summary.events_written:,} events in {store}")
    marker.touch()
    return store


def installed_environment() -> dict[str, str]:
    """The environment of an installed command: bytecode cached as pip's install leaves it."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(argv: list[str]) -> float:
    """Seconds one run of ``argv`` takes, output discarded; fails loudly if it fails."""
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=installed_environment(),
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    store = small_store(args.events, args.workdir)
    th = trailhound_command()
    query = [*th, "--data-dir", str(store), "query", QUERY]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import duckdb"': [sys.executable, "-c", "import duckdb"],
        "trailhound --help": [*th, "--help"],
        "trailhound query, first time (compiles)": query,
        "trailhound query, again (kept plan)": query,
    }
    plans = store / "cache" / "plans"
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # once untimed: the page cache, the bytecode cache
        wall(argv)
    for _ in range(args.runs):
        for name, argv in commands.items():
            if "first time" in name:
                shutil.rmtree(plans, ignore_errors=True)
            times[name].append(wall(argv))
    check = [*query[:-1], CHECK]
    shutil.rmtree(plans, ignore_errors=True)
    compiled = subprocess.run(check, capture_output=True, check=True).stdout
    kept = subprocess.run(check, capture_output=True, check=True).stdout
    if compiled != kept or compiled.count(b"\n") < 5 + 4:  # 5 rows, the header and frame
        raise SystemExit("cross-check failed: the kept plan answers otherwise than the compiled")
    print("cross-check: the kept plan's rows equal the compiled query's")
    floor = statistics.median(times['python -c "import duckdb"'])
    print(f"{args.runs} runs each, interleaved; wall seconds")
    print(f"{'command':<52} {'median':>8} {'best':>8} {'over duckdb':>12}")
    for name, runs in times.items():
        median = statistics.median(runs)
        over = f"{median - floor:+12.3f}" if name.startswith("trailhound") else ""
        goal = ""
        if name.startswith("trailhound"):
            goal = "  ok" if median < GOAL_SECONDS else f"  over the {GOAL_SECONDS} s goal"
        print(f"{name:<52} {median:8.3f} {min(runs):8.3f} {over:>12}{goal}")


if __name__ == "__main__":
    main()
