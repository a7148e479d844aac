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

Whoever can send to the queue (or write to the bucket) chooses these names, so every object is
checked before anyone uses it: the bucket against S3's naming rules, the key against S3's limits
and for path tricks (``.``/``..`` segments, control characters). An object that fails is not
fetched: it comes back as a ``RejectedObject`` with the reason, beside the message's other
objects, which go on as usual.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote_plus

import orjson

from trailhound.errors import SourceError

_MAX_SNS_DEPTH = 3
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# Buckets made in us-east-1 before March 2018 may have capitals and underscores, up to 255.
_LEGACY_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]")
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--table-s3")
_MAX_KEY_BYTES = 1024  # S3's limit
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHOWN = 300  # characters of a refused name kept in the record of it


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
class RejectedObject:
    """An object a message announces that is refused unread, and why."""

    name: str  # ``s3://bucket/key`` as announced (shortened), or ``record N`` when unnamed
    reason: str


@dataclass(frozen=True, slots=True)
class Notification:
    """What one message says: its shape, the objects it announces and those it refuses."""

    kind: NotificationKind
    objects: tuple[ObjectRef, ...] = ()
    rejected: tuple[RejectedObject, ...] = ()


def shown(text: str) -> str:
    """``text`` cut to a length fit for a record of it (an attacker chose its length)."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def bucket_problem(name: object) -> str | None:
    """Why ``name`` is not an S3 bucket name, or None when it is one.

    >>> bucket_problem("trail-bucket") is None, bucket_problem("../etc")
    (True, 'invalid bucket name: not one S3 allows')
    """
    if not isinstance(name, str):
        return "invalid bucket name: not a string"
    if _BUCKET.fullmatch(name):
        if ".." in name or name.startswith(_BUCKET_RESERVED_PREFIXES):
            return "invalid bucket name: not one S3 allows"
        if name.endswith(_BUCKET_RESERVED_SUFFIXES):
            return "invalid bucket name: not one S3 allows"
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return None
        return "invalid bucket name: formatted as an IP address"
    if _LEGACY_BUCKET.fullmatch(name) and ".." not in name:
        return None
    return "invalid bucket name: not one S3 allows"


def key_problem(key: object) -> str | None:
    """Why ``key`` is refused as an object key, or None when it may be fetched.

    S3 takes almost any key; a CloudTrail key never has control characters or ``.``/``..``
    segments, which are how a key turns into a path outside where it is meant to go.

    >>> key_problem("AWSLogs/111122223333/CloudTrail/x.json.gz") is None, key_problem("a/../b")
    (True, "invalid object key: a '.' or '..' segment")
    """
    if not isinstance(key, str) or not key:
        return "invalid object key: empty or not a string"
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        return "invalid object key: not valid Unicode"
    if size > _MAX_KEY_BYTES:
        return f"invalid object key: {size} bytes, over S3's {_MAX_KEY_BYTES}"
    if _CONTROL.search(key):
        return "invalid object key: control characters"
    if any(part in {".", ".."} for part in key.replace("\\", "/").split("/")):
        return "invalid object key: a '.' or '..' segment"
    return None


def _object(
    bucket: Any, key: Any, size: Any = None, etag: Any = None
) -> ObjectRef | RejectedObject:
    """The object announced, or why it is refused."""
    problem = bucket_problem(bucket) or key_problem(key)
    if problem is not None:
        name = f"s3://{bucket}/{key}" if isinstance(bucket, str) and isinstance(key, str) else ""
        return RejectedObject(shown(name or f"s3://{bucket!r}/{key!r}"), problem)
    return ObjectRef(bucket, key, _int(size), _etag(etag))


def _split(
    found: list[ObjectRef | RejectedObject],
) -> tuple[tuple[ObjectRef, ...], tuple[RejectedObject, ...]]:
    objects = tuple(o for o in found if isinstance(o, ObjectRef))
    return objects, tuple(o for o in found if isinstance(o, RejectedObject))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _etag(value: Any) -> str | None:
    return value.strip('"') if isinstance(value, str) and value else None


def _s3_event(doc: dict[str, Any]) -> Notification:
    records = doc["Records"]
    ours = [isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in records]
    if not any(ours):
        raise NotificationError("a record of the S3 notification is not an aws:s3 event")
    found: list[ObjectRef | RejectedObject] = []
    for number, (record, is_s3) in enumerate(zip(records, ours, strict=True)):
        if not is_s3:
            found.append(RejectedObject(f"record {number}", "not an aws:s3 event record"))
            continue
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue  # deletions, restores, replication events: nothing new to read
        try:
            bucket = record["s3"]["bucket"]["name"]
            obj = record["s3"]["object"]
            key = unquote_plus(obj["key"])
        except (KeyError, TypeError, AttributeError) as error:
            found.append(RejectedObject(f"record {number}", f"S3 event record without {error}"))
            continue
        found.append(_object(bucket, key, obj.get("size"), obj.get("eTag")))
    return Notification(NotificationKind.S3_EVENT, *_split(found))


def _cloudtrail_sns(doc: dict[str, Any]) -> Notification:
    bucket = doc["s3Bucket"]
    keys = doc["s3ObjectKey"]
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(bucket, str) or not isinstance(keys, list):
        raise NotificationError("CloudTrail notification with a malformed s3Bucket/s3ObjectKey")
    found = [_object(bucket, key) for key in keys]
    return Notification(NotificationKind.CLOUDTRAIL_SNS, *_split(found))


def _eventbridge(doc: dict[str, Any]) -> Notification:
    if doc.get("detail-type") != "Object Created":
        return Notification(NotificationKind.IGNORED)
    try:
        detail = doc["detail"]
        found = _object(
            detail["bucket"]["name"],
            detail["object"]["key"],
            detail["object"].get("size"),
            detail["object"].get("etag"),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise NotificationError(f"EventBridge S3 event without {error}") from error
    return Notification(NotificationKind.EVENTBRIDGE, *_split([found]))


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
            return Notification(NotificationKind.SNS_S3_EVENT, inner.objects, inner.rejected)
        return inner
    if isinstance(doc.get("Records"), list):
        return _s3_event(doc)
    if "s3Bucket" in doc and "s3ObjectKey" in doc:
        return _cloudtrail_sns(doc)
    if doc.get("source") == "aws.s3" and "detail" in doc:
        return _eventbridge(doc)
    raise NotificationError("message of no known shape (not S3, SNS, CloudTrail or EventBridge)")


def parse_body(body: str | bytes, *, depth: int = 0) -> Notification:
    """The notification in an SQS message body of any of the four shapes.

    >>> parse_body('{"s3Bucket": "bkt", "s3ObjectKey": ["AWSLogs/k.json.gz"]}').objects[0].uri
    's3://bkt/AWSLogs/k.json.gz'
    >>> parse_body('{"Service": "Amazon S3", "Event": "s3:TestEvent"}').kind.value
    'test-event'
    """
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise NotificationError(f"message body is not JSON: {error}") from error
    return parse_document(doc, depth=depth)
