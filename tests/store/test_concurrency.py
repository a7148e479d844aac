"""Queries run while another process ingests, and several processes read at once.

Compaction is off in the writer: while it swaps a partition's files a reader can, for an
instant, see both the old files and the new one (documented in store/lake.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trailhound.data_dir import DataDir
from trailhound.demo.generator import generate_demo
from trailhound.store.engine import QueryEngine

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
