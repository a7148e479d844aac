"""Several integrations collected at once (``trailhound.collect``), one of them broken: each on
its own thread and backoff, against moto over HTTP; and the ``collect`` command as a real process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.sources.conftest import ACCOUNT, Aws
from trailhound.collect import IntegrationRun, backoff_seconds, collect, run_collect
from trailhound.data_dir import DataDir
from trailhound.errors import CollectError
from trailhound.sources.aws.integrations import Integration, IntegrationState
from trailhound.sources.aws.sqs import CollectorOptions
from trailhound.store.engine import QueryEngine
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB

pytestmark = pytest.mark.aws
FAST = CollectorOptions(drain_wait_seconds=1, wait_seconds=1, visibility_timeout=30)


def _store(data_dir: DataDir) -> IntegrationStore:
    return IntegrationStore(StateDB(data_dir.state_db))


def _missing_queue(aws: Aws) -> str:
    """A queue URL on the moto server that no queue has: receiving fails at once."""
    return f"{aws.endpoint}/{ACCOUNT}/no-such-queue"


def _count(data_dir: DataDir) -> int:
    with QueryEngine(data_dir) as engine:
        return int(engine.execute("SELECT count(*) FROM cloudtrail")[1][0][0])


def _wait_for(condition: object, seconds: float) -> float:
    """Poll ``condition()`` until true; the seconds it took (fails the test past ``seconds``)."""
    assert callable(condition)
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_once_drains_the_good_one_and_reports_the_broken_one(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=3, per_object=4)
    store = _store(data_dir)
    good = store.add(Integration.create("good", url))
    broken = store.add(Integration.create("broken", _missing_queue(aws)))
    report = run_collect(data_dir, [broken, good], once=True, options=FAST)
    assert report.runs["good"].drained
    assert report.summaries["good"].ingest.events_written == 12
    assert [run.name for run in report.failed] == ["broken"]
    assert "cannot receive from the queue" in str(report.runs["broken"].error)
    assert not report.runs["broken"].error.startswith("broken:")  # type: ignore[union-attr]
    assert _count(data_dir) == 12 and aws.queue_depth(url) == 0
    assert store.get("broken").state in {IntegrationState.ERROR, IntegrationState.DISCONNECTED}
    assert store.get("good").events_ingested == 12
    with pytest.raises(CollectError, match="cannot receive from the queue"):
        collect(data_dir, [store.get("broken"), store.get("good")], once=True, options=FAST)


def test_a_broken_integration_backs_off_alone(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    store = _store(data_dir)
    good = store.add(Integration.create("good", url))
    broken = store.add(Integration.create("broken", _missing_queue(aws)))
    stop = threading.Event()
    failures: list[int] = []
    statuses: list[list[str]] = []

    def backoff(n: int) -> float:
        failures.append(n)
        return 120.0  # far longer than the good one may take, even on a loaded machine

    def on_status(runs: list[IntegrationRun]) -> None:
        statuses.append([run.status_line() for run in runs])

    worker = threading.Thread(
        target=lambda: run_collect(
            data_dir,
            [broken, good],
            options=FAST,
            stop=stop,
            backoff=backoff,
            on_status=on_status,
            status_seconds=0.5,
        )
    )
    worker.start()
    try:
        _wait_for(lambda: failures, 30)  # the broken one is backing off now
        aws.put_logs("trail-bucket", count=2, per_object=3)
        took = _wait_for(lambda: aws.queue_depth(url) == 0, 20)
        assert took < 60, took  # not held up by the broken one's 120 s backoff
        # Messages may include S3's own test event; the objects and events are the logs put.
        _wait_for(
            lambda: any(
                s.startswith("good: collecting;") and "2 objects, 6 events written" in s
                for s in statuses[-1]
            ),
            60,
        )
        assert any(line.startswith("broken: backing off (retry in") for line in statuses[-1])
        assert "last error: cannot receive from the queue" in " ".join(statuses[-1])
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()  # a stop ends the backoff wait too
    assert failures == [1] and _count(data_dir) == 6


def test_an_update_reaches_a_failing_integration_without_restart(
    aws: Aws, data_dir: DataDir
) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=2, per_object=2)
    store = _store(data_dir)
    broken = store.add(Integration.create("prod", _missing_queue(aws)))
    stop = threading.Event()
    failures: list[int] = []

    def backoff(n: int) -> float:
        failures.append(n)
        return 0.3

    worker = threading.Thread(
        target=lambda: run_collect(data_dir, [broken], options=FAST, stop=stop, backoff=backoff)
    )
    worker.start()
    try:
        _wait_for(lambda: len(failures) >= 2, 90)
        assert failures[:2] == [1, 2]  # failures in a row count up
        store.update(store.get("prod").changed(queue_url=url))
        _wait_for(lambda: aws.queue_depth(url) == 0, 90)
        _wait_for(lambda: store.get("prod").state is IntegrationState.ENABLED, 60)  # recovered
        store.remove("prod")
        worker.join(timeout=60)  # removed: its worker ends on its own
        assert not worker.is_alive()
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert _count(data_dir) == 4


def test_backoff_doubles_up_to_five_minutes() -> None:
    assert [backoff_seconds(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]


def _process(data_dir: Path, *args: str, stderr: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trailhound", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=stderr.open("wb"),
        env=dict(os.environ),
    )


def test_the_collect_process_keeps_the_good_one_prompt(aws: Aws, tmp_path: Path) -> None:
    """The issue's measure: with a broken integration beside it, a good one's new logs are
    stored within seconds (a round-robin with a 60 s retry pause held them for a minute)."""
    data = DataDir(tmp_path / "data")
    url = aws.bucket_to_queue()
    store = _store(data.ensure())
    store.add(Integration.create("good", url))
    store.add(Integration.create("broken", _missing_queue(aws)))
    log = tmp_path / "collect.log"
    process = _process(data.root, "collect", "--status-every", "1s", stderr=log)
    try:
        # A first log warms the detection up (its rules compile on the first batch).
        aws.put_logs("trail-bucket", count=1, per_object=2, start=100)
        _wait_for(lambda: "good: collecting; 2 messages, 1 objects" in log.read_text(), 90)
        seen = len(log.read_text())
        _wait_for(lambda: "broken: backing off" in log.read_text()[seen:], 60)
        aws.put_logs("trail-bucket", count=3, per_object=2)
        took = _wait_for(lambda: aws.queue_depth(url) == 0, 30)
        # Seconds (14 on a machine loaded 12 times over its cores); a round-robin with a 60 s
        # pause after a failing round took a minute or more.
        assert took < 45, (took, log.read_text())
        _wait_for(lambda: "good: collecting; 5 messages, 4 objects" in log.read_text(), 10)
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0, log.read_text()
    text = stdout.decode()
    assert "good: stopped: 5 messages, 4 objects, 0 digests, 8 events written" in text
    assert "broken: FAILED" in text and "NonExistentQueue" in text
    assert _count(data) == 8


def test_collect_once_exit_codes_and_per_integration_lines(aws: Aws, tmp_path: Path) -> None:
    from tests.cli.test_aws import _app

    data = DataDir(tmp_path / "data")
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=2, per_object=2)
    store = _store(data.ensure())
    store.add(Integration.create("good", url))
    store.add(Integration.create("broken", _missing_queue(aws)))

    def once(*only: str) -> Result:
        chosen = [arg for name in only for arg in ("--integration", name)]
        return CliRunner().invoke(
            _app(), ["--data-dir", str(data.root), "collect", "--once", *chosen]
        )

    both = once()
    assert both.exit_code == 1, both.output  # one failed; the other's logs are stored
    assert "good: drained: 3 messages, 2 objects" in both.stdout  # and S3's test event
    assert "broken: FAILED" in both.stdout and "cannot receive" in both.stdout
    assert _count(data) == 4
    assert once("broken").exit_code == 2  # every one failed
    drained = once("good")
    assert drained.exit_code == 0, drained.output
    assert "good: drained: 0 messages" in drained.stdout
