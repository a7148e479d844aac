"""The Lambda forwarder against moto (S3, SSM) and a real trailhound server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveServer, serve_live
from tests.sources.conftest import Aws, log_key, log_object
from trailhound_forwarder import handler
from trailhound_forwarder.handler import ForwardError, handle, is_log_file, s3_objects

pytestmark = pytest.mark.aws
BUCKET = "org-trail"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve_live(tmp_path / "data")


def _s3_event(*keys: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {"bucket": {"name": BUCKET}, "object": {"key": key.replace(":", "%3A")}},
            }
            for key in keys
        ]
    }


def _count(server: LiveServer) -> int:
    import httpx

    answer = httpx.post(
        server.url + "/api/v1/sql",
        headers={"Authorization": f"Bearer {server.keys['viewer']}"},
        json={"sql": "SELECT count(*) AS n FROM cloudtrail"},
        timeout=60,
    )
    return int(answer.json()["rows"][0]["n"])


def test_forwarder_posts_each_new_log_file(
    aws: Aws, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    keys = [log_key(suffix=f"{n:016x}") for n in range(3)]
    for n, key in enumerate(keys):
        s3.put_object(Bucket=BUCKET, Key=key, Body=log_object(n * 4, 4))
    digest = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/02/x.json.gz"
    s3.put_object(Bucket=BUCKET, Key=digest, Body=b"{}")
    aws.client("ssm").put_parameter(
        Name="/trailhound/ingest-key", Value=server.keys["ingest"], Type="SecureString"
    )
    monkeypatch.setenv("TRAILHOUND_URL", server.url)
    monkeypatch.setenv("TRAILHOUND_TOKEN_PARAMETER", "/trailhound/ingest-key")
    result = handle(_s3_event(*keys, digest))
    assert result["objects"] == 3 and result["accepted"] == 12 and result["quarantined"] == 0
    assert result["skipped"] == [f"s3://{BUCKET}/{digest}: not a CloudTrail log file"]
    assert _count(server) == 12
    # Delivered again (Lambda retries, SQS redelivers): nothing is stored twice.
    wrapped = {"Records": [{"body": json.dumps(_s3_event(keys[0]))}]}
    again = handle(wrapped)
    assert again["objects"] == 1 and again["accepted"] == 4
    assert _count(server) == 12


def test_forwarder_raises_when_the_server_refuses_or_is_away(
    aws: Aws, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    key = log_key(suffix="0" * 16)
    s3.put_object(Bucket=BUCKET, Key=key, Body=log_object(0, 2))
    monkeypatch.setenv("TRAILHOUND_URL", server.url)
    monkeypatch.setenv("TRAILHOUND_TOKEN", server.keys["viewer"])  # not an ingest key
    with pytest.raises(ForwardError, match="HTTP 403"):
        handle(_s3_event(key))
    monkeypatch.setenv("TRAILHOUND_TOKEN", server.keys["ingest"])
    monkeypatch.setattr(handler, "ATTEMPTS", 2)
    monkeypatch.setenv("TRAILHOUND_URL", "http://127.0.0.1:9")  # nothing listens: retried, raised
    with pytest.raises(ForwardError, match="could not deliver"):
        handler.post(handler._endpoint(), "k", b"{}", attempts=2)
    monkeypatch.setenv("TRAILHOUND_MAX_BYTES", "10")
    monkeypatch.setenv("TRAILHOUND_URL", server.url)
    assert handle(_s3_event(key))["skipped"][0].endswith("larger than 10 bytes")


def test_notifications_are_unwrapped_from_sqs_and_sns() -> None:
    inner = _s3_event("AWSLogs/1/CloudTrail/r/2026/11/02/a.json.gz")
    sns = {"Type": "Notification", "Message": json.dumps(inner)}
    event = {
        "Records": [
            {"body": json.dumps(sns)},
            {"Sns": {"Message": json.dumps(inner)}},
            {"body": "not json"},
            {"body": json.dumps({"Event": "s3:TestEvent"})},
        ]
    }
    assert list(s3_objects(event)) == [(BUCKET, "AWSLogs/1/CloudTrail/r/2026/11/02/a.json.gz")] * 2
    assert is_log_file("AWSLogs/1/CloudTrail/us-east-1/2026/11/02/1_CloudTrail_x.json.gz")
    assert not is_log_file("AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/02/x.json.gz")
    assert not is_log_file("AWSLogs/1/elasticloadbalancing/x.log.gz")
