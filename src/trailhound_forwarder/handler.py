"""Lambda handler: for each new S3 object in the notification, POST it to trailhound.

Triggered by S3 event notifications, directly or through SQS or SNS (the envelopes are
unwrapped). Each CloudTrail log file (digests and test events are skipped) is read from S3 and
posted as it is, gzip and all, to ``POST /api/v1/ingest/cloudtrail`` with an ingest key. The
server is idempotent on event IDs, so a retry never stores an event twice: a post that fails
(no connection, 429, 5xx) is retried with backoff, and if it still fails the invocation raises,
so that Lambda (or the queue) delivers the notification again and no log file is lost.

Settings (environment variables):

* ``TRAILHOUND_URL`` — the server, e.g. ``https://trailhound.example.com``;
* ``TRAILHOUND_TOKEN_PARAMETER`` — an SSM SecureString parameter holding the ingest key
  (preferred), or ``TRAILHOUND_TOKEN`` — the key itself;
* ``TRAILHOUND_MAX_BYTES`` — the server's body limit (default 50 MB): larger objects are
  reported and skipped, since the server would refuse them.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import boto3

INGEST_PATH = "/api/v1/ingest/cloudtrail"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
ATTEMPTS = 4
logger = logging.getLogger(__name__)


class ForwardError(Exception):
    """A log file could not be delivered: raised so that the notification is delivered again."""


@dataclass
class Forwarded:
    """What one invocation did."""

    objects: int = 0
    records: int = 0
    accepted: int = 0
    quarantined: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The invocation's result."""
        return {
            "objects": self.objects,
            "records": self.records,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "skipped": self.skipped,
        }


def s3_objects(event: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(bucket, key) of every object an S3 notification names, through SQS and SNS envelopes."""
    for record in event.get("Records", []) or []:
        if not isinstance(record, Mapping):
            continue
        if "s3" in record:
            bucket = record["s3"].get("bucket", {}).get("name")
            key = record["s3"].get("object", {}).get("key")
            if bucket and key:
                yield str(bucket), unquote_plus(str(key))
            continue
        text = record.get("body") or record.get("Sns", {}).get("Message")
        if not isinstance(text, str):
            continue
        try:
            inner = json.loads(text)
        except ValueError:
            continue
        if isinstance(inner, Mapping) and isinstance(inner.get("Message"), str):
            try:
                inner = json.loads(inner["Message"])  # SNS delivered through SQS
            except ValueError:
                continue
        if isinstance(inner, Mapping):
            yield from s3_objects(inner)


def is_log_file(key: str) -> bool:
    """Whether a key is a CloudTrail log file (not a digest, not another file in the bucket)."""
    name = key.rsplit("/", 1)[-1]
    return "/CloudTrail/" in key and "CloudTrail-Digest" not in key and ".json" in name


def _token() -> str:
    parameter = os.environ.get("TRAILHOUND_TOKEN_PARAMETER")
    if parameter:
        answer = boto3.client("ssm").get_parameter(Name=parameter, WithDecryption=True)
        return str(answer["Parameter"]["Value"])
    token = os.environ.get("TRAILHOUND_TOKEN")
    if not token:
        raise ForwardError("set TRAILHOUND_TOKEN_PARAMETER (or TRAILHOUND_TOKEN)")
    return token


def _endpoint() -> str:
    base = os.environ.get("TRAILHOUND_URL", "").rstrip("/")
    if urlsplit(base).scheme not in ("https", "http"):
        raise ForwardError("set TRAILHOUND_URL to the server's http(s) address")
    return base + INGEST_PATH


def post(url: str, token: str, body: bytes, *, attempts: int = ATTEMPTS) -> dict[str, Any]:
    """POST one log file; retried on failures worth retrying; its counts."""
    delay = 0.5
    last = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/octet-stream",
                "User-Agent": "trailhound-forwarder",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                result: dict[str, Any] = json.loads(answer.read(1024 * 1024))
                return result
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
            if error.code not in (408, 429) and error.code < 500:
                raise ForwardError(f"the server refused the log file: {last}") from error
        except (urllib.error.URLError, OSError) as error:
            last = type(error).__name__
        if attempt < attempts:
            time.sleep(delay)
            delay *= 2
    raise ForwardError(f"could not deliver the log file: {last}")


def handle(event: Mapping[str, Any], context: object = None) -> dict[str, Any]:
    """The Lambda entry point."""
    url = _endpoint()
    token = _token()
    limit = int(os.environ.get("TRAILHOUND_MAX_BYTES", DEFAULT_MAX_BYTES))
    s3 = boto3.client("s3")
    done = Forwarded()
    for bucket, key in s3_objects(event):
        if not is_log_file(key):
            done.skipped.append(f"s3://{bucket}/{key}: not a CloudTrail log file")
            continue
        head = s3.head_object(Bucket=bucket, Key=key)
        if int(head["ContentLength"]) > limit:
            done.skipped.append(f"s3://{bucket}/{key}: larger than {limit:,} bytes")
            logger.error("skipped s3://%s/%s: over the server's body limit", bucket, key)
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read(limit + 1)
        result = post(url, token, body)
        done.objects += 1
        done.records += int(result.get("records", 0))
        done.accepted += int(result.get("accepted", 0))
        done.quarantined += int(result.get("quarantined", 0))
        logger.info("forwarded s3://%s/%s: %s accepted", bucket, key, result.get("accepted"))
    return done.as_dict()
