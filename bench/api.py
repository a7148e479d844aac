"""Benchmark: the push ingest and query endpoints under concurrent load, against plain ingest.

Writes a demo data set (the demo generator's S3 layout), ingests it once with ``trailhound
ingest``'s path (the baseline, same run, same files), then starts ``trailhound serve`` in its
own process on 127.0.0.1 and, from this process, has ``--pushers`` clients POST every log file
to ``/api/v1/ingest/cloudtrail`` while ``--queriers`` clients run pipe queries and SQL, until
the pushers are done or ``--seconds`` pass (``--repeat 2`` pushes every file twice, in a
shuffled order: idempotence under load). Reports requests/s, p50/p99 latency and errors per
endpoint, and checks that every pushed event is stored exactly once: the server holds as many
events, and as many distinct event IDs, as the files hold distinct IDs (and as the baseline
stored). Run:

    .venv/bin/python bench/api.py --events 20000 --pushers 50 --queriers 4 --repeat 2
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson

from trailhound.api.keys import KeyStore
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.store.engine import QueryEngine
from trailhound.store.state import StateDB
from trailhound_demo.generator import generate_demo

QUERIES = [
    {"query": "dataset = cloudtrail | comp count() as events by eventName | sort events desc"},
    {"query": 'dataset = cloudtrail | filter eventName = "ConsoleLogin" | limit 50'},
    {"sql": "SELECT account, count(*) AS n FROM cloudtrail GROUP BY ALL ORDER BY n DESC"},
]


@dataclass
class Tally:
    """Latencies and errors of one endpoint."""

    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, started: float, error: str | None) -> None:
        with self.lock:
            self.seconds.append(time.perf_counter() - started)
            if error:
                self.errors.append(error)

    def line(self, name: str, wall: float) -> str:
        if not self.seconds:
            return f"{name:8} no requests"
        ordered = sorted(self.seconds)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        return (
            f"{name:8} {len(ordered):6,} requests {len(ordered) / wall:8.1f} req/s  "
            f"p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  errors {len(self.errors)}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it answered")
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).json().get("ingest"):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def _baseline(files: list[Path], root: Path) -> tuple[int, float]:
    """Events stored and seconds taken by ``trailhound ingest``'s path (no detection)."""
    started = time.perf_counter()
    with Ingestor(DataDir(root)) as ingestor:
        summary = ingestor.ingest_paths(files)
    return summary.events_written, time.perf_counter() - started


def _baseline_query(root: Path, repeat: int = 5) -> float:
    """Median seconds of the SQL query in process (engine opened per query, as the API does)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with QueryEngine(DataDir(root)) as engine:
            engine.execute_read_only(str(QUERIES[2]["sql"]))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _records(path: Path) -> list[dict[str, object]]:
    records: list[dict[str, object]] = orjson.loads(gzip.decompress(path.read_bytes()))["Records"]
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--pushers", type=int, default=50)
    parser.add_argument("--queriers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=240, help="stop the load after this")
    parser.add_argument("--repeat", type=int, default=1, help="push every file this many times")
    parser.add_argument("--detect", action="store_true", help="detection on pushed events")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    work = Path(args.workdir or tempfile.mkdtemp(prefix="th-bench-api-"))
    logs, base_dir, served_dir = work / "logs", work / "baseline", work / "served"
    for folder in (logs, base_dir, served_dir):
        shutil.rmtree(folder, ignore_errors=True)
    generate_demo(logs, events=args.events, seed=7)
    files = sorted(p for p in logs.rglob("*.json.gz") if "CloudTrail-Digest" not in str(p))
    unique = len({r["eventID"] for f in files for r in _records(f)})
    stored, base_seconds = _baseline(files, base_dir)
    base_query = _baseline_query(base_dir)

    state = StateDB(DataDir(served_dir).ensure().state_db)
    ingest_key = KeyStore(state).create("ingest", "bench-push")[1]
    viewer_key = KeyStore(state).create("viewer", "bench-query")[1]
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "trailhound.cli", "--data-dir", str(served_dir), "serve",
               "--port", str(port), "--detect" if args.detect else "--no-detect"]  # fmt: skip
    log = (work / "server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    push, query = Tally(), Tally()
    pushed_events = accepted = 0
    try:
        _wait_ready(url, server)
        deadline = time.monotonic() + args.seconds
        done = threading.Event()
        queue = list(files) * max(1, args.repeat)
        random.Random(7).shuffle(queue)
        queue_lock = threading.Lock()

        def pusher() -> None:
            nonlocal pushed_events, accepted
            with httpx.Client(headers={"Authorization": f"Bearer {ingest_key}"}) as client:
                while time.monotonic() < deadline:
                    with queue_lock:
                        if not queue:
                            return
                        path = queue.pop()
                    started = time.perf_counter()
                    try:
                        answer = client.post(
                            url + "/api/v1/ingest/cloudtrail",
                            content=path.read_bytes(),
                            timeout=300,
                        )
                        error = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
                        if error is None:
                            with queue_lock:
                                pushed_events += int(answer.json()["stored"])
                                accepted += int(answer.json()["accepted"])
                                if os.environ.get("BENCH_DEBUG"):
                                    print(path.name[-40:], answer.json(), flush=True)
                    except httpx.HTTPError as failure:
                        error = type(failure).__name__
                    push.add(started, error)

        def querier(n: int) -> None:
            with httpx.Client(headers={"Authorization": f"Bearer {viewer_key}"}) as client:
                i = n
                while not done.is_set() and time.monotonic() < deadline:
                    body = QUERIES[i % len(QUERIES)]
                    i += 1
                    path = "/api/v1/sql" if "sql" in body else "/api/v1/query"
                    started = time.perf_counter()
                    try:
                        answer = client.post(url + path, json=body, timeout=120)
                        error = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
                    except httpx.HTTPError as failure:
                        error = type(failure).__name__
                    query.add(started, error)

        started = time.perf_counter()
        with ThreadPoolExecutor(args.pushers + args.queriers) as pool:
            queriers = [pool.submit(querier, n) for n in range(args.queriers)]
            pushers = [pool.submit(pusher) for _ in range(args.pushers)]
            for future in pushers:
                future.result()
            done.set()
            for future in queriers:
                future.result()
        wall = time.perf_counter() - started
        answer = httpx.post(
            url + "/api/v1/sql",
            headers={"Authorization": f"Bearer {viewer_key}"},
            json={"sql": "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM cloudtrail"},
            timeout=120,
        ).json()["rows"][0]
        held, distinct = int(answer["n"]), int(answer["d"])
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()

    print(f"{args.events:,} demo events in {len(files):,} log files pushed {args.repeat}x; "
          f"{args.pushers} pushers, "
          f"{args.queriers} queriers, detection {'on' if args.detect else 'off'}")  # fmt: skip
    print(push.line("push", wall) + f"  ({pushed_events / wall:,.0f} events/s)")
    print(query.line("query", wall))
    print(f"baseline trailhound ingest path: {stored:,} events in {base_seconds:.1f} s "
          f"({stored / base_seconds:,.0f} events/s); in-process SQL query p50 "
          f"{base_query * 1000:.1f} ms")  # fmt: skip
    left = len(files) * max(1, args.repeat) - len(push.seconds)
    # With every file pushed, the server holds each distinct event of the files once (and
    # answered "stored" for each once); cut short, what it answered "stored" is held, once.
    lost = (pushed_events - held if left else unique - held) or held - distinct
    print(
        f"server holds {held:,} events ({distinct:,} distinct); unique events pushed {unique:,}; "
        f"answered stored {pushed_events:,}, accepted {accepted:,}; baseline {stored:,}: "
        + ("every event stored exactly once" if lost == 0 and pushed_events == held
           else f"{lost:,} events missing or doubled")
        + (f"; {left} pushes not made before the deadline" if left else "")
    )  # fmt: skip
    lost = lost or pushed_events - held
    for error in sorted(set(push.errors + query.errors))[:10]:
        print(f"  error: {error}")
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    if push.errors or query.errors or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
