"""The server follows the integration list while it runs: an integration added is collected, a
paused one is not, a resumed one is again and a removed one stops, all without a restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.api.conftest import Api, start_api
from tests.sources.conftest import Aws, aws, moto_endpoint  # noqa: F401 (fixtures)
from trailhound.api.deps import ServerSettings
from trailhound.sources.aws.integrations import Integration, IntegrationState


def _until(check: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _count(api: Api) -> int:
    sql = {"sql": "SELECT count(*) AS n FROM cloudtrail"}
    return int(api.post("/api/v1/sql", "viewer", json=sql).json()["rows"][0]["n"])


@pytest.mark.aws
def test_serve_follows_integrations_added_paused_resumed_and_removed(
    aws: Aws,  # noqa: F811
    tmp_path: Path,
) -> None:
    url = aws.bucket_to_queue("follow-bucket")
    settings = ServerSettings(detect=False, collect_wait_seconds=1, collect_rescan_seconds=0.2)
    for api in start_api(tmp_path / "data", settings):
        _follow(api, aws, url)


def _follow(api: Api, aws: Aws, url: str) -> None:  # noqa: F811
    found = api.product
    assert not found.collecting  # nothing to collect yet
    found.app.integrations.add(Integration.create("lab", url))  # as the API's POST does
    assert _until(lambda: found.collecting)
    aws.put_logs("follow-bucket", count=2, per_object=4)
    assert _until(lambda: _count(api) == 8), _count(api)
    found.app.integrations.set_state("lab", IntegrationState.PAUSED)
    assert _until(lambda: not found.collecting)
    aws.put_logs("follow-bucket", count=2, per_object=4, start=100, account="222233334444")
    time.sleep(2)  # a paused integration's queue keeps its messages
    assert _count(api) == 8 and aws.queue_depth(url) == 2
    found.app.integrations.set_state("lab", IntegrationState.ENABLED)
    assert _until(lambda: _count(api) == 16), _count(api)
    found.app.integrations.remove("lab")
    assert _until(lambda: not found.collecting)
    assert found.collect_error is None
