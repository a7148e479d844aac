"""Every shape of queue message, parsed into S3 objects."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailhound.sources.aws.notifications import (
    NotificationError,
    NotificationKind,
    ObjectRef,
    bucket_problem,
    key_problem,
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


GOOD = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/f.json.gz"


@pytest.mark.parametrize(
    "bucket",
    [
        "..",
        "../../etc",
        "a/b",
        "ab",
        "-bucket",
        "bucket-",
        "b..ucket",
        "192.168.10.1",
        "xn--bucket",
        "bucket-s3alias",
        "b" * 256,
        "buck\x00et",
        "bucket\u00e9s",
        "",
    ],
)
def test_buckets_outside_s3s_rules_are_refused(bucket: str) -> None:
    note = parse_body(orjson.dumps({"s3Bucket": bucket, "s3ObjectKey": [GOOD]}))
    assert note.objects == ()
    [rejected] = note.rejected
    assert rejected.reason.startswith("invalid bucket name"), rejected


@pytest.mark.parametrize("bucket", ["trail-bucket", "my.trail.bucket", "a1b", "Legacy_Bucket"])
def test_valid_and_legacy_bucket_names_pass(bucket: str) -> None:
    assert bucket_problem(bucket) is None


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/../../../../tmp/x.pth", "segment"),
        ("../x_CloudTrail_y.json.gz", "segment"),
        ("a/./b.json.gz", "segment"),
        ("AWSLogs\\..\\..\\x.json.gz", "segment"),
        ("a\x00b.json.gz", "control"),
        ("a\nb.json.gz", "control"),
        ("k" * 1025, "over S3's 1024"),
        ("\u00e9" * 600, "over S3's 1024"),
        ("", "empty"),
    ],
)
def test_keys_that_could_become_paths_are_refused(key: str, why: str) -> None:
    problem = key_problem(key)
    assert problem is not None and why in problem


def test_one_refused_object_leaves_the_others_of_its_message() -> None:
    keys = [GOOD, "AWSLogs/../../x.json.gz", 42, GOOD.replace("f.json", "g.json")]
    note = parse_body(_sns({"s3Bucket": "bkt", "s3ObjectKey": keys}))
    assert [o.key for o in note.objects] == [GOOD, GOOD.replace("f.json", "g.json")]
    assert [r.reason for r in note.rejected] == [
        "invalid object key: a '.' or '..' segment",
        "invalid object key: empty or not a string",  # was silently dropped before
    ]
    assert note.rejected[0].name == "s3://bkt/AWSLogs/../../x.json.gz"


def test_s3_event_records_are_refused_one_by_one() -> None:
    doc = orjson.loads(orjson.dumps(S3_EVENT))
    good = doc["Records"][0]
    hostile = orjson.loads(orjson.dumps(good))
    hostile["s3"]["bucket"]["name"] = "../.."
    doc["Records"] = [
        {"eventSource": "aws:ec2"},
        {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"object": "x"}},
        hostile,
        good,
    ]
    note = parse_body(orjson.dumps(doc))
    assert [o.key for o in note.objects] == [KEY]
    assert [(r.name, r.reason.split(":")[0]) for r in note.rejected] == [
        ("record 0", "not an aws"),
        ("record 1", "S3 event record without 'bucket'"),
        (f"s3://../../{KEY}", "invalid bucket name"),
    ]


def test_eventbridge_hostile_key_is_refused() -> None:
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "bkt"}, "object": {"key": "a/../../b"}},
    }
    note = parse_body(orjson.dumps(event))
    assert note.kind is NotificationKind.EVENTBRIDGE
    assert note.objects == () and len(note.rejected) == 1


def test_a_refused_name_is_shortened() -> None:
    note = parse_body(orjson.dumps({"s3Bucket": "bkt", "s3ObjectKey": ["../" + "x" * 5000]}))
    assert len(note.rejected[0].name) < 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
shaped = st.fixed_dictionaries(  # near-misses of the four shapes, to reach deep into the parser
    {},
    optional={
        "Records": st.lists(
            st.fixed_dictionaries(
                {"eventSource": st.sampled_from(["aws:s3", "aws:ec2"])},
                optional={
                    "eventName": st.sampled_from(["ObjectCreated:Put", "ObjectRemoved:Delete"]),
                    "s3": json_values,
                },
            ),
            max_size=3,
        ),
        "s3Bucket": json_values,
        "s3ObjectKey": json_values,
        "source": st.just("aws.s3"),
        "detail-type": st.just("Object Created"),
        "detail": json_values,
        "Type": st.sampled_from(["Notification", "SubscriptionConfirmation"]),
        "Message": st.text(max_size=20),
    },
)


@settings(max_examples=200, deadline=None, database=None)
@given(doc=json_values | shaped)
def test_any_body_parses_or_raises_a_notification_error(doc: object) -> None:
    try:
        note = parse_body(orjson.dumps(doc))
    except NotificationError:
        return
    for ref in note.objects:  # whatever passes is safe to fetch
        assert bucket_problem(ref.bucket) is None and key_problem(ref.key) is None
    assert all(r.reason and len(r.name) <= 301 for r in note.rejected)
