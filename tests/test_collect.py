"""Several collectors on one SQS queue, as separate processes sharing one lake on S3 (moto in
server mode on 127.0.0.1), each with its own state: every event is stored, none is read twice,
and a collector killed mid-batch loses nothing (its messages come back to the other)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.sources.conftest import Aws, aws, moto_endpoint  # noqa: F401 - moto fixtures
from trailhound.data_dir import DataDir
from trailhound.sources.aws.integrations import Integration
from trailhound.store.engine import QueryEngine
from trailhound.store.integrations import IntegrationStore
from trailhound.store.lakes import open_lake
from trailhound.store.state import StateDB

pytestmark = pytest.mark.aws
LAKE = "s3://lake-bucket/shared"
OBJECTS, PER_OBJECT = 12, 5
# One collector process: the real collect loop, small batches and a short visibility timeout
# so that a dead collector's messages come back within seconds.
COLLECTOR = """
import sys, threading
from pathlib import Path
from trailhound.collect import collect, graceful_shutdown
from trailhound.data_dir import DataDir
from trailhound.sources.aws.sqs import CollectorOptions
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB

data_dir = DataDir(Path(sys.argv[1]), lake_uri=sys.argv[2])
options = CollectorOptions(workers=2, visibility_timeout=4, wait_seconds=1, drain_wait_seconds=1,
                           messages_per_batch=2, retry_base_seconds=0)
stop = threading.Event()
with graceful_shutdown(stop):
    integration = IntegrationStore(StateDB(data_dir.state_db)).get("prod")
    collect(data_dir, [integration], options=options, stop=stop)
"""


def _collector(root: Path, url: str) -> subprocess.Popen[bytes]:
    data_dir = DataDir(root, lake_uri=LAKE).ensure()
    IntegrationStore(StateDB(data_dir.state_db)).add(Integration.create("prod", url))
    return subprocess.Popen(
        [sys.executable, "-c", COLLECTOR, str(root), LAKE],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _counts(data_dir: DataDir) -> tuple[int, int]:
    with QueryEngine(data_dir) as engine:
        _, rows = engine.execute("SELECT count(*), count(DISTINCT event_id) FROM cloudtrail")
    return int(rows[0][0]), int(rows[0][1])


def _wait(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return False


def test_two_collectors_one_killed_mid_batch(aws: Aws, tmp_path: Path) -> None:  # noqa: F811
    aws.client("s3").create_bucket(Bucket="lake-bucket")
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=OBJECTS, per_object=PER_OBJECT)
    expected = OBJECTS * PER_OBJECT
    reader = DataDir(tmp_path / "reader", lake_uri=LAKE).ensure()
    lake = open_lake(reader)
    doomed = _collector(tmp_path / "one", url)
    survivor = _collector(tmp_path / "two", url)
    try:
        # Kill the first as soon as the lake holds something: it is busy with its next batch.
        assert _wait(lambda: len(lake.files()) >= 2, 60), "the collectors write nothing"
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(10) == -signal.SIGKILL
        done = _wait(lambda: not aws.queue_depth(url) and _counts(reader)[1] == expected, 240)
        if not done:
            survivor.send_signal(signal.SIGTERM)
            _, errors = survivor.communicate(timeout=30)
            pytest.fail(
                f"stored {_counts(reader)} of {expected}; queue {aws.queue_depth(url)}; "
                f"the other collector said: {errors.decode()[-3000:]}"
            )
    finally:
        for process in (doomed, survivor):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        survivor.wait(30)
        doomed.wait(10)
    assert survivor.returncode == 0, survivor.stderr.read() if survivor.stderr else ""
    assert _counts(reader) == (expected, expected)  # everything, each event once
    writers = {Path(f).name.split("-")[1] for f in lake.files()}
    assert len(writers) >= 2, "both collectors wrote their own files"
