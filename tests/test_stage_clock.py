"""Where an ingest run's time goes: the stage clock and the run's record of it."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.stage_clock import StageClock
from trailhound.store.state import StateDB


def test_threads_add_up_and_take_starts_again() -> None:
    clock = StageClock()

    def work() -> None:
        for _ in range(1000):
            clock.add("write", 0.001)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with clock.stage("load"):
        pass
    taken = clock.take()
    assert list(taken) == ["load", "write"]  # pipeline order, not arrival order
    assert taken["write"] == 4.0
    assert clock.totals() == {}


def test_an_ingest_run_records_the_seconds_of_its_stages(tmp_path: Path, data_dir: DataDir) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(i) for i in range(20)], name="a")
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([logs])
    with Ingestor(data_dir) as ingestor:
        again = ingestor.ingest_paths([logs])  # nothing new: no batch, no stage
    assert {"load", "wait", "dedupe", "write", "record"} <= set(summary.stage_seconds)
    assert all(seconds >= 0 for seconds in summary.stage_seconds.values())
    assert summary.stage_seconds["load"] > 0
    assert again.stage_seconds == {}
    with StateDB(data_dir.state_db).connect(read_only=True) as con:
        recorded = [
            orjson.loads(row[0])
            for row in con.execute(
                "SELECT stage_seconds FROM ingest_runs ORDER BY started_at"
            ).fetchall()
        ]
    assert recorded == [summary.stage_seconds, {}]
