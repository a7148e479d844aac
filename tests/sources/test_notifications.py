"""Every shape of queue message, parsed into S3 objects."""

from __future__ import annotations

import orjson
import pytest

from trailhound.sources.notifications import (
    NotificationError,
    NotificationKind,
    ObjectRef,
    parse_body,
)

KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/a b+c.json.gz"
S3_EVENT = {
    "Records": [
        {
            "eventSource": "aws:s3",
            "eventName": "ObjectCreated:Put",
            "s3": {
                "bucket": {"name": "bkt"},
                "object": {
                    "key": "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/a+b%2Bc.json.gz",
                    "size": 42,
                    "eTag": "abc",
                },
            },
        }
    ]
}


def _sns(message: object) -> str:
    return orjson.dumps(
        {
            "Type": "Notification",
            "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": orjson.dumps(message).decode(),
        }
    ).decode()


def test_s3_event_keys_are_url_decoded() -> None:
    note = parse_body(orjson.dumps(S3_EVENT))
    assert note.kind is NotificationKind.S3_EVENT
    assert note.objects == (ObjectRef("bkt", KEY, 42, "abc"),)


def test_sns_wrapped_s3_event() -> None:
    note = parse_body(_sns(S3_EVENT))
    assert note.kind is NotificationKind.SNS_S3_EVENT
    assert note.objects[0].key == KEY


def test_cloudtrail_sns_keys_are_taken_verbatim() -> None:
    note = parse_body(_sns({"s3Bucket": "bkt", "s3ObjectKey": ["k+1.json.gz", "k2.json.gz"]}))
    assert note.kind is NotificationKind.CLOUDTRAIL_SNS
    assert [o.key for o in note.objects] == ["k+1.json.gz", "k2.json.gz"]


def test_eventbridge_object_created() -> None:
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "bkt"}, "object": {"key": "a b", "size": 3}},
    }
    assert parse_body(orjson.dumps(event)).objects == (ObjectRef("bkt", "a b", 3),)
    event["detail-type"] = "Object Deleted"
    assert parse_body(orjson.dumps(event)).kind is NotificationKind.IGNORED


@pytest.mark.parametrize(
    "body",
    [
        {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "bkt"},
        {"Type": "SubscriptionConfirmation", "Message": "confirm"},
    ],
)
def test_messages_announcing_nothing(body: dict[str, str]) -> None:
    assert parse_body(orjson.dumps(body)).objects == ()


def test_removals_announce_nothing() -> None:
    removed = orjson.loads(orjson.dumps(S3_EVENT))
    removed["Records"][0]["eventName"] = "ObjectRemoved:Delete"
    assert parse_body(orjson.dumps(removed)).objects == ()


@pytest.mark.parametrize(
    "body", ["not json", "[1]", '{"hello": 1}', '{"Records": [{"eventSource": "aws:ec2"}]}']
)
def test_unknown_shapes_raise(body: str) -> None:
    with pytest.raises(NotificationError):
        parse_body(body)
