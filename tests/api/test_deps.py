"""The server runs the collector beside push ingest when there are integrations to collect:
log files delivered to a queue become events (and the server stops promptly)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.api.conftest import start_api
from tests.sources.conftest import Aws, aws, moto_endpoint  # noqa: F401 (fixtures)
from trailhound.api.deps import ServerSettings
from trailhound.sources.aws.integrations import Integration
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB


@pytest.mark.aws
def test_serve_collects_the_integrations_queues(aws: Aws, tmp_path: Path) -> None:  # noqa: F811
    url = aws.bucket_to_queue("serve-bucket")
    aws.put_logs("serve-bucket", count=3, per_object=4)
    root = tmp_path / "data"
    root.mkdir()
    IntegrationStore(StateDB(root / "state.duckdb")).add(Integration.create("lab", url))
    settings = ServerSettings(detect=False, collect_wait_seconds=1)
    started = time.monotonic()
    api = None
    for api in start_api(root, settings):
        assert api.product.collecting
        deadline = time.monotonic() + 60
        count = 0
        while count < 12 and time.monotonic() < deadline:
            sql = {"sql": "SELECT count(*) AS n FROM cloudtrail"}
            count = api.post("/api/v1/sql", "viewer", json=sql).json()["rows"][0]["n"]
            time.sleep(0.2)
        assert count == 12
    assert api is not None and not api.product.collecting  # stopped with the server
    assert time.monotonic() - started < 90


def test_no_integrations_no_collector(tmp_path: Path) -> None:
    for api in start_api(tmp_path / "data"):
        assert not api.product.collecting
        assert api.product.collect_error is None
