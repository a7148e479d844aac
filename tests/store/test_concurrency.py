"""Several processes at once: queries during an ingest, two ingests, a compaction killed midway.

Every test here runs real processes against one data directory and checks exactly-once storage:
as many rows as distinct event IDs as input events.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import IngestOptions, Ingestor
from trailhound.store.engine import QueryEngine
from trailhound.store.lake import ParquetLake
from trailhound_demo.generator import generate_demo

INGEST = (
    "import sys; from pathlib import Path; from trailhound.data_dir import DataDir; "
    "from trailhound.ingest import Ingestor, IngestOptions; "
    "Ingestor(DataDir(Path(sys.argv[1])), options=IngestOptions(batch_files=4, compact=False))"
    ".ingest_paths([Path(sys.argv[2])])"
)
QUERY = (
    "import sys; from pathlib import Path; from trailhound.data_dir import DataDir; "
    "from trailhound.store.engine import QueryEngine; "
    "e = QueryEngine(DataDir(Path(sys.argv[1]))); "
    "print(e.execute('SELECT count(*) FROM cloudtrail')[1][0][0])"
)
# One of two ingests started together: both wait at a barrier of files, so that they overlap.
RACER = """
import sys, time
from pathlib import Path
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor, IngestOptions
from trailhound.store.lock import set_wait_notice

store, logs, me, other = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
waited = []
set_wait_notice(waited.append)
me.touch()
while not other.exists():
    time.sleep(0.005)
options = IngestOptions(batch_files=2, compact=False)
with Ingestor(DataDir(store), options=options) as ingestor:
    summary = ingestor.ingest_paths([logs])
print(summary.events_written, len(waited))
"""
# Compacts the lake and SIGKILLs itself at one point of the swap.
KILLED_COMPACTION = """
import os, pathlib, signal, sys
import duckdb
from trailhound.data_dir import DataDir
from trailhound.store.lake import ParquetLake

root, point = pathlib.Path(sys.argv[1]), sys.argv[2]
replace, unlink = pathlib.Path.replace, pathlib.Path.unlink

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def patched_replace(self, target):
    is_event_file = pathlib.Path(target).suffix == ".parquet"
    if point == "journaled" and is_event_file:
        die()  # the merged file is written and journaled, not yet in the lake
    moved = replace(self, target)
    if point == "published" and is_event_file:
        die()  # the merged file is in the lake, every file it replaces too
    return moved

def patched_unlink(self, missing_ok=False):
    unlink(self, missing_ok)
    if point == "retired" and self.suffix == ".parquet":
        die()  # one replaced file is gone, the others are not

pathlib.Path.replace = patched_replace
pathlib.Path.unlink = patched_unlink
ParquetLake(DataDir(root)).compact(duckdb.connect(), min_files=2)
"""
# Ingests one small file at a time and compacts after each, for the readers to run against.
INGEST_AND_COMPACT = """
import gzip, sys
from pathlib import Path
import orjson, duckdb
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor, IngestOptions
from trailhound.store.lake import ParquetLake

store, logs, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
data_dir = DataDir(store)
with Ingestor(data_dir, options=IngestOptions(compact=False)) as ingestor:
    for n in range(rounds):
        ingestor.ingest_paths([logs / f"round{n}"])
        ParquetLake(data_dir).compact(duckdb.connect(), min_files=2)
"""


def _counts(data_dir: DataDir) -> tuple[int, int]:
    """Rows and distinct event IDs the query engine sees."""
    with QueryEngine(data_dir) as engine:
        [(rows, distinct)] = engine.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM cloudtrail"
        )[1]
    return int(rows), int(distinct)


def _rows_on_disk(data_dir: DataDir) -> int:
    """Rows in every Parquet file under the lake's folders, as a tool listing them would see."""
    files = sorted(data_dir.events.glob("date=*/account=*/*.parquet"))
    if not files:
        return 0
    paths = [str(f) for f in files]
    row = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [paths]).fetchone()
    return int(row[0]) if row else 0


def test_queries_during_ingest(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    summary = generate_demo(logs, events=6_000, seed=3)
    store = tmp_path / "store"
    writer = subprocess.Popen([sys.executable, "-c", INGEST, str(store), str(logs)])
    counts: list[int] = []
    while writer.poll() is None:
        with QueryEngine(DataDir(store)) as engine:  # sees whole files only, never blocks
            counts.append(int(engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0]))
            engine.execute("SELECT count(*) FROM quarantine")
    assert writer.wait() == 0
    readers = [
        subprocess.Popen([sys.executable, "-c", QUERY, str(store)], stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [int(r.communicate()[0]) for r in readers]
    total = summary.events + summary.insight_events
    assert counts and counts == sorted(counts) and all(c <= total for c in counts)
    assert outputs == [total] * 3


def test_two_ingests_of_the_same_files_store_each_event_once(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    files, per_file = 12, 40
    for n in range(files):
        records = [make_record(n * per_file + i) for i in range(per_file)]
        records.append(make_record(10_000 + n, eventTime=None))  # quarantined, once
        write_log(logs / f"f{n}", records, name=f"f{n}")
    total = files * per_file
    store = tmp_path / "store"
    ready = [tmp_path / "ready-a", tmp_path / "ready-b"]
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(store), str(logs), str(me), str(other)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for me, other in (ready, ready[::-1])
    ]
    results = [racer.communicate(timeout=120)[0].split() for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0]
    written = [int(r[0]) for r in results]
    waits = [int(r[1]) for r in results]
    assert sum(waits) > 0  # they did commit at the same time, one waiting for the other
    assert sum(written) == total  # between them, each event written once
    assert _counts(DataDir(store)) == (total, total)
    with QueryEngine(DataDir(store)) as engine:  # a file one stored is not recorded by the other
        quarantined = engine.execute("SELECT source, count(*) FROM quarantine GROUP BY ALL")[1]
        ledger = engine.execute("SELECT count(*), count(DISTINCT run_id) FROM ingested_files")[1]
    assert sorted(n for _, n in quarantined) == [1] * files
    assert ledger[0][0] == files


def test_a_compaction_killed_at_any_step_never_doubles_an_event(tmp_path: Path) -> None:
    # One lake of small files (4 per partition), copied for each point the compaction dies at.
    files, per_file = 4, 6
    for n in range(files):
        records = [make_record(n * per_file + i) for i in range(per_file)]
        write_log(tmp_path / "logs" / f"f{n}", records, name=f"f{n}")
    template = DataDir(tmp_path / "template").ensure()
    with Ingestor(template, options=IngestOptions(batch_files=1, compact=False)) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    total = files * per_file
    files_before = len(ParquetLake(template).files())
    for point in ("journaled", "published", "retired"):
        data_dir = DataDir(tmp_path / point)
        shutil.copytree(template.root, data_dir.root)
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_COMPACTION, str(data_dir.root), point], check=False
        )
        assert killed.returncode == -signal.SIGKILL, point
        if point == "published":
            # The folders do hold the events twice now; readers must not count them twice.
            assert _rows_on_disk(data_dir) > total
        assert _counts(data_dir) == (total, total), point
        # The next writer finishes (or drops) the killed swap before compacting again.
        assert ParquetLake(data_dir).compact(duckdb.connect(), min_files=2) > 0
        assert _counts(data_dir) == (total, total), point
        assert _rows_on_disk(data_dir) == total, point
        assert not list(data_dir.staging.iterdir()), point
        assert len(ParquetLake(data_dir).files()) < files_before


def test_queries_during_compaction_see_each_event_once(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    rounds, per_round = 4, 30
    for n in range(rounds):
        records = [make_record(n * per_round + i) for i in range(per_round)]
        write_log(logs / f"round{n}", records, name=f"r{n}")
    store = DataDir(tmp_path / "store").ensure()
    writer = subprocess.Popen(
        [sys.executable, "-c", INGEST_AND_COMPACT, str(store.root), str(logs), str(rounds)]
    )
    seen: list[int] = []
    while writer.poll() is None:
        rows, distinct = _counts(store)
        assert rows == distinct
        seen.append(rows)
        with QueryEngine(store) as engine:  # the state database is never held while it scans
            engine.execute("SELECT count(*) FROM quarantine")
        time.sleep(0.05)  # leave the writer some of the machine
    assert writer.wait() == 0
    assert seen == sorted(seen)
    assert _counts(store) == (rounds * per_round, rounds * per_round)


def test_an_open_query_does_not_keep_an_ingest_from_committing(tmp_path: Path) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(5)])
    store = DataDir(tmp_path / "store").ensure()
    with QueryEngine(store) as engine:
        # Read a state table, then keep the engine open as a long query would.
        assert engine.execute("SELECT count(*) FROM ingested_files")[1] == [(0,)]
        started = time.monotonic()
        subprocess.run(
            [sys.executable, "-c", INGEST, str(store.root), str(tmp_path / "logs")],
            check=True,
            timeout=50,
        )
        assert time.monotonic() - started < 30
        assert engine.execute("SELECT count(*) FROM ingested_files")[1] == [(0,)]  # a snapshot
    assert _counts(store) == (5, 5)
