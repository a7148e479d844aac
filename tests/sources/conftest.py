"""A real AWS API for the collector tests: moto in server mode on 127.0.0.1, reached over HTTP."""

from __future__ import annotations

import gzip
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import orjson
import pytest
import urllib3
from moto.server import ThreadedMotoServer

from tests.conftest import make_record

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "us-east-1"
BASE_TIME = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server for the session; each test resets its state (see ``aws``)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def log_key(
    account: str = ACCOUNT,
    region: str = REGION,
    when: datetime = BASE_TIME,
    suffix: str | None = None,
    org: str | None = None,
) -> str:
    """An S3 key in CloudTrail's layout."""
    stamp = when.strftime("%Y%m%dT%H%MZ")
    prefix = f"AWSLogs/{org}/{account}" if org else f"AWSLogs/{account}"
    return (
        f"{prefix}/CloudTrail/{region}/{when:%Y/%m/%d}/"
        f"{account}_CloudTrail_{region}_{stamp}_{suffix or uuid.uuid4().hex[:16]}.json.gz"
    )


def log_object(start: int, count: int, account: str = ACCOUNT) -> bytes:
    """A gzip CloudTrail log file of ``count`` distinct events numbered from ``start``."""
    records = [make_record(n, recipientAccountId=account) for n in range(start, start + count)]
    return gzip.compress(orjson.dumps({"Records": records}))


@dataclass
class Aws:
    """Clients on the moto server, and builders for the usual collection plumbing."""

    endpoint: str

    def client(self, service: str) -> Any:
        """A boto3 client on the moto server."""
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint)

    def queue(self, name: str = "trail-queue") -> tuple[str, str]:
        """A new queue: its URL and ARN."""
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return url, arn

    def bucket_to_queue(self, bucket: str = "trail-bucket") -> str:
        """A bucket whose object-created notifications go straight to a new queue."""
        url, arn = self.queue(f"{bucket}-queue")
        s3 = self.client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        return url

    def bucket_to_topic_to_queue(self, bucket: str = "trail-bucket") -> tuple[str, str]:
        """A bucket notifying an SNS topic that fans out to a new queue: (queue URL, topic ARN)."""
        url, arn = self.queue(f"{bucket}-queue")
        sns = self.client("sns")
        topic = sns.create_topic(Name=f"{bucket}-topic")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        s3 = self.client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration={
                "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        return url, topic

    def put_logs(
        self, bucket: str, count: int, per_object: int = 5, start: int = 0, account: str = ACCOUNT
    ) -> list[str]:
        """Upload ``count`` log objects of ``per_object`` events; returns their keys."""
        s3 = self.client("s3")
        keys = []
        for i in range(count):
            key = log_key(account, when=BASE_TIME + timedelta(minutes=5 * i))
            s3.put_object(
                Bucket=bucket, Key=key, Body=log_object(start + i * per_object, per_object, account)
            )
            keys.append(key)
        return keys

    def queue_depth(self, url: str) -> int:
        """Visible plus in-flight messages in the queue."""
        attrs = self.client("sqs").get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(
            attrs["ApproximateNumberOfMessagesNotVisible"]
        )

    def enforce_iam(self, on: bool) -> None:
        """Make moto check signatures and IAM policies (trust policies, external IDs) or not."""
        http = urllib3.PoolManager()
        http.request("POST", f"{self.endpoint}/moto-api/reset-auth", body=b"0" if on else b"inf")


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """A fresh moto account, with credentials and ``AWS_ENDPOINT_URL`` pointing at it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    urllib3.PoolManager().request("POST", f"{moto_endpoint}/moto-api/reset")
    env = Aws(moto_endpoint)
    yield env
    env.enforce_iam(False)
