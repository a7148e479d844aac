"""Benchmark: the SQS collector (1, 2, 4 download threads) against plain file ingest, same files.

Starts ``moto_server`` in its own process on 127.0.0.1 (so the fake AWS does not share our GIL),
uploads N gzip CloudTrail objects once, then for each run fills a fresh queue with their S3
notifications and drains it into an empty data directory. Run:

    .venv/bin/python bench/collect.py --objects 200 --events 250
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import orjson

from trailhound.collect import collect
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.sqs import CollectorOptions
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB

ACCOUNT = "111122223333"
BUCKET = "bench-trail"


def record(n: int) -> dict[str, Any]:
    """A plausible management event, distinct per ``n``."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA{n % 97}:s",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/r{n % 13}/s",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{n % 1000:06d}",
        },
        "eventTime": f"2026-11-02T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": ["DescribeInstances", "RunInstances", "GetObject"][n % 3],
        "awsRegion": "us-east-1",
        "sourceIPAddress": f"198.51.100.{n % 250}",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"maxResults": n % 50},
        "responseElements": None,
        "requestID": str(uuid.UUID(int=n + 1)),
        "eventID": str(uuid.UUID(int=n + 10**12)),
        "readOnly": n % 3 != 1,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }


def key_for(i: int) -> str:
    """An S3 key in CloudTrail's layout."""
    return (
        f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/02/"
        f"{ACCOUNT}_CloudTrail_us-east-1_20261102T{i // 60 % 24:02d}{i % 60:02d}Z_{i:08x}.json.gz"
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def s3_event(key: str, size: int) -> str:
    """The S3 notification for one new object."""
    return orjson.dumps(
        {
            "Records": [
                {
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": BUCKET}, "object": {"key": key, "size": size}},
                }
            ]
        }
    ).decode()


def send_notifications(sqs: Any, url: str, sizes: dict[str, int]) -> None:
    """Queue one S3 notification per object."""
    keys = list(sizes)
    for start in range(0, len(keys), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "MessageBody": s3_event(k, sizes[k])}
                for n, k in enumerate(keys[start : start + 10])
            ],
        )


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--events", type=int, default=250, help="events per object")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="th-bench-"))
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
        }
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        s3 = boto3.client("s3")
        sqs = boto3.client("sqs")
        s3.create_bucket(Bucket=BUCKET)
        files = work / "files"
        sizes: dict[str, int] = {}
        for i in range(args.objects):
            body = gzip.compress(
                orjson.dumps({"Records": [record(i * args.events + j) for j in range(args.events)]})
            )
            key = key_for(i)
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            path = files / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            sizes[key] = len(body)
        total = args.objects * args.events
        print(f"{args.objects} objects, {total:,} events, {sum(sizes.values()) / 1e6:.1f} MB gzip")

        with Ingestor(DataDir(work / "file-ingest")) as ingestor:
            started = time.perf_counter()
            summary = ingestor.ingest_paths([files])
            file_seconds = time.perf_counter() - started
        assert summary.events_written == total, summary
        file_rate = total / file_seconds
        print(f"{'file ingest':>22}: {file_seconds:6.2f} s  {file_rate:9,.0f} events/s")

        floor_url = sqs.create_queue(QueueName="bench-floor")["QueueUrl"]
        send_notifications(sqs, floor_url, sizes)
        started = time.perf_counter()
        while messages := sqs.receive_message(QueueUrl=floor_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                key = orjson.loads(message["Body"])["Records"][0]["s3"]["object"]["key"]
                s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            sqs.delete_message_batch(
                QueueUrl=floor_url,
                Entries=[
                    {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                    for n, m in enumerate(messages)
                ],
            )
        floor = time.perf_counter() - started
        print(
            f"{'moto API calls alone':>22}: {floor:6.2f} s  {total / floor:9,.0f} events/s"
            "  (receive, get, delete in one thread, no ingest: the fake AWS's own cost)"
        )

        for workers in args.workers:
            url = sqs.create_queue(QueueName=f"bench-{workers}")["QueueUrl"]
            send_notifications(sqs, url, sizes)
            data_dir = DataDir(work / f"collect-{workers}")
            store = IntegrationStore(StateDB(data_dir.state_db))
            integration = store.add(Integration.create(f"bench{workers}", url))
            options = CollectorOptions(workers=workers, drain_wait_seconds=1)
            result = collect(data_dir, [integration], once=True, options=options)[integration.name]
            assert result.ingest.events_written == total, result.line()
            busy = result.seconds - 1.0  # the final empty long poll that proves the queue empty
            rate = total / busy
            print(
                f"{f'collector, {workers} thread(s)':>22}: {busy:6.2f} s  {rate:9,.0f} events/s"
                f"  ({rate / file_rate:.0%} of file ingest; {result.seconds:.2f} s with the "
                "final empty poll)"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
