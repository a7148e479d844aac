"""Parse an SQS message body into the S3 objects it announces.

Four shapes reach the queue:

* an S3 event notification (``{"Records": [{"eventSource": "aws:s3", "s3": {…}}]}``), whose
  object keys are URL-encoded (``+`` for a space);
* the same wrapped by SNS (``{"Type": "Notification", "Message": "<json>"}``) unless the
  subscription uses raw message delivery;
* CloudTrail's own SNS delivery notification (``{"s3Bucket": …, "s3ObjectKey": [...]}``), plain
  keys, usually wrapped by SNS too;
* an EventBridge ``Object Created`` event (``{"source": "aws.s3", "detail": {…}}``), plain keys.

S3's ``s3:TestEvent`` and SNS subscription confirmations announce nothing and are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote_plus

import orjson

from trailhound.errors import SourceError

_MAX_SNS_DEPTH = 3


class NotificationKind(StrEnum):
    """Which shape a message had."""

    S3_EVENT = "s3"
    SNS_S3_EVENT = "sns+s3"
    CLOUDTRAIL_SNS = "cloudtrail-sns"
    EVENTBRIDGE = "eventbridge"
    TEST_EVENT = "test-event"
    IGNORED = "ignored"  # a well-formed message that announces no new object


class NotificationError(SourceError):
    """A queue message of no known shape."""


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One S3 object a message announces; size and ETag when the message gives them."""

    bucket: str
    key: str
    size: int | None = None
    etag: str | None = None

    @property
    def uri(self) -> str:
        """``s3://bucket/key``: the name the ledger and quarantine use."""
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True, slots=True)
class Notification:
    """What one message says: its shape and the objects it announces (maybe none)."""

    kind: NotificationKind
    objects: tuple[ObjectRef, ...] = ()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _etag(value: Any) -> str | None:
    return value.strip('"') if isinstance(value, str) and value else None


def _s3_event(doc: dict[str, Any]) -> tuple[ObjectRef, ...]:
    objects: list[ObjectRef] = []
    for record in doc["Records"]:
        if not isinstance(record, dict) or record.get("eventSource") != "aws:s3":
            raise NotificationError("a record of the S3 notification is not an aws:s3 event")
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue  # deletions, restores, replication events: nothing new to read
        try:
            bucket = record["s3"]["bucket"]["name"]
            obj = record["s3"]["object"]
            key = unquote_plus(obj["key"])
        except (KeyError, TypeError) as error:
            raise NotificationError(f"S3 notification without {error}") from error
        objects.append(ObjectRef(bucket, key, _int(obj.get("size")), _etag(obj.get("eTag"))))
    return tuple(objects)


def _cloudtrail_sns(doc: dict[str, Any]) -> tuple[ObjectRef, ...]:
    bucket = doc["s3Bucket"]
    keys = doc["s3ObjectKey"]
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(bucket, str) or not isinstance(keys, list):
        raise NotificationError("CloudTrail notification with a malformed s3Bucket/s3ObjectKey")
    return tuple(ObjectRef(bucket, key) for key in keys if isinstance(key, str))


def _eventbridge(doc: dict[str, Any]) -> Notification:
    if doc.get("detail-type") != "Object Created":
        return Notification(NotificationKind.IGNORED)
    try:
        detail = doc["detail"]
        ref = ObjectRef(
            detail["bucket"]["name"],
            detail["object"]["key"],
            _int(detail["object"].get("size")),
            _etag(detail["object"].get("etag")),
        )
    except (KeyError, TypeError) as error:
        raise NotificationError(f"EventBridge S3 event without {error}") from error
    return Notification(NotificationKind.EVENTBRIDGE, (ref,))


def parse_document(doc: Any, *, depth: int = 0) -> Notification:
    """The notification a parsed message body holds."""
    if not isinstance(doc, dict):
        raise NotificationError("message body is not a JSON object")
    if doc.get("Event") == "s3:TestEvent":
        return Notification(NotificationKind.TEST_EVENT)
    if doc.get("Type") in {"SubscriptionConfirmation", "UnsubscribeConfirmation"}:
        return Notification(NotificationKind.IGNORED)
    if doc.get("Type") == "Notification" and isinstance(doc.get("Message"), str):
        if depth >= _MAX_SNS_DEPTH:
            raise NotificationError("SNS notifications nested too deeply")
        inner = parse_body(doc["Message"], depth=depth + 1)
        if inner.kind is NotificationKind.S3_EVENT:
            return Notification(NotificationKind.SNS_S3_EVENT, inner.objects)
        return inner
    if isinstance(doc.get("Records"), list):
        return Notification(NotificationKind.S3_EVENT, _s3_event(doc))
    if "s3Bucket" in doc and "s3ObjectKey" in doc:
        return Notification(NotificationKind.CLOUDTRAIL_SNS, _cloudtrail_sns(doc))
    if doc.get("source") == "aws.s3" and "detail" in doc:
        return _eventbridge(doc)
    raise NotificationError("message of no known shape (not S3, SNS, CloudTrail or EventBridge)")


def parse_body(body: str | bytes, *, depth: int = 0) -> Notification:
    """The notification in an SQS message body of any of the four shapes.

    >>> parse_body('{"s3Bucket": "b", "s3ObjectKey": ["AWSLogs/k.json.gz"]}').objects[0].uri
    's3://b/AWSLogs/k.json.gz'
    >>> parse_body('{"Service": "Amazon S3", "Event": "s3:TestEvent"}').kind.value
    'test-event'
    """
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise NotificationError(f"message body is not JSON: {error}") from error
    return parse_document(doc, depth=depth)
