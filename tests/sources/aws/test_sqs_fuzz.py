"""Hostile queue messages, bucket names and object keys through the real collector (moto server).

Whatever arrives, two things must hold. Nothing is written, renamed or removed outside the data
directory: a tree beside the data directory is compared before and after, and an audit hook
records every file operation Python makes while the collector runs. And nothing is lost
silently: every object announced is ingested, kept (a digest), recorded as poison with a
reason, or skipped under a counted reason; every message leaves the queue.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import orjson
import pytest
import urllib3
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import make_record
from tests.sources.conftest import ACCOUNT, REGION, Aws
from trailhound.collect import collect
from trailhound.data_dir import DataDir
from trailhound.model import SkipReason
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.aws.notifications import NotificationError, parse_body
from trailhound.sources.aws.sqs import CollectorOptions
from trailhound.sources.names import parse_name
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB

pytestmark = pytest.mark.aws
BUCKET = "fuzz-trail"
OPTIONS = CollectorOptions(
    workers=2,
    drain_wait_seconds=0,
    retry_base_seconds=0,
    visibility_timeout=60,
    max_receives=1,  # every failure is final at once: the run is one pass
    messages_per_batch=10,
)
_DIR_FD = {  # audit event → (positions of its paths, positions of their dir_fd)
    "os.rename": ((0, 1), (2, 3)),
    "os.remove": ((0,), (1,)),
    "os.rmdir": ((0,), (1,)),
    "os.mkdir": ((0,), (2,)),
    "os.chmod": ((0,), (2,)),
    "os.symlink": ((1,), (2,)),
}
_WRITES = frozenset({"os.link", "os.truncate", "shutil.rmtree", "shutil.move", "shutil.copyfile"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


# Input ----------------------------------------------------------------------------------------
PREFIXES = [
    f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2026/11/02/",
    f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/2026/11/02/",
    f"AWSLogs/o-abcdefghij/{ACCOUNT}/CloudTrail/eu-west-1/2026/11/02/",
    "AWSLogs/",
    "/",
    "",
]
SEGMENTS = [
    "..", ".", "", "%2e%2e", "..\\..", "~", "*", "[a-z]", "?", "\x00", "\n", "\u202e", "é",
    "x" * 300, "/etc/passwd", "$(id)", "'; DROP TABLE t; --", "a b+c", "CloudTrail-Digest",
]  # fmt: skip
NAMES = [
    f"{ACCOUNT}_CloudTrail_{REGION}_20261102T1000Z_{{u}}.json.gz",
    f"{ACCOUNT}_CloudTrail-Digest_{REGION}_trail_{REGION}_20261102T110000Z.json.gz",
    "ConfigWritabilityCheckFile",
    "notes.txt",
    "{u}.jsonl",
    "{u}.json",
    "",
]
BUCKETS = ["..", "../..", "a/b", "Bad..Name", "ab", "x" * 64, "192.168.1.1", "\x00", "", "b" * 300]
# From digests/<bucket>/<the 7 folders of a digest prefix>/ in the data dir to the test's base.
UP = "../" * 13
BODIES = ["log", "log", "garbage", "truncated", "digest", "empty", "missing"]

# SQS carries no lone surrogates nor U+FFFE/U+FFFF; JSON escapes the control characters.
text = st.text(st.characters(max_codepoint=0xD7FF), max_size=8)
buckets = st.one_of(st.just(BUCKET), st.just(BUCKET), st.sampled_from(BUCKETS), text)
keys = st.builds(
    lambda prefix, middle, name: prefix + "/".join(middle) + ("/" if middle else "") + name,
    st.sampled_from(PREFIXES),
    st.lists(st.one_of(st.sampled_from(SEGMENTS), text), max_size=3),
    st.sampled_from(NAMES),
)


@dataclass(frozen=True)
class Announced:
    """An object a message announces, and what the bucket holds under it."""

    bucket: str
    key: str
    body: str  # one of BODIES


@dataclass(frozen=True)
class Message:
    """One queue message: a shape and its objects, or a raw body."""

    shape: str
    objects: tuple[Announced, ...] = ()
    raw: str | None = None


objects = st.builds(Announced, buckets, keys, st.sampled_from(BODIES))
shapes = st.sampled_from(["s3", "sns+s3", "cloudtrail", "sns+cloudtrail", "eventbridge"])
safe_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xD7FF), min_size=1, max_size=40
)
raw_bodies = st.one_of(
    safe_text,
    st.sampled_from(
        [
            "[]",
            "null",
            '{"Records": "x"}',
            '{"Records": [1, {"eventSource": "aws:s3"}]}',
            '{"s3Bucket": 1, "s3ObjectKey": {}}',
            '{"source": "aws.s3", "detail-type": "Object Created", "detail": []}',
            '{"Type": "Notification", "Message": "{\\"Type\\": \\"Notification\\"}"}',
            '{"Event": "s3:TestEvent"}',
        ]
    ),
)
messages = st.one_of(
    st.builds(Message, shapes, st.lists(objects, min_size=1, max_size=4).map(tuple)),
    st.builds(Message, st.just("raw"), raw=raw_bodies),
)


def _s3_record(obj: Announced) -> dict[str, Any]:
    return {
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": obj.bucket}, "object": {"key": quote_plus(obj.key)}},
    }


def _sns(message: Any) -> dict[str, Any]:
    return {"Type": "Notification", "Message": orjson.dumps(message).decode()}


def render(message: Message) -> list[str]:
    """The SQS bodies for a message (EventBridge sends one object per event)."""
    if message.raw is not None:
        return [message.raw]
    objs = message.objects
    trail = {"s3Bucket": objs[0].bucket, "s3ObjectKey": [o.key for o in objs]}
    s3 = {"Records": [_s3_record(o) for o in objs]}
    shaped: dict[str, list[Any]] = {
        "s3": [s3],
        "sns+s3": [_sns(s3)],
        "cloudtrail": [trail],
        "sns+cloudtrail": [_sns(trail)],
        "eventbridge": [
            {
                "source": "aws.s3",
                "detail-type": "Object Created",
                "detail": {"bucket": {"name": o.bucket}, "object": {"key": o.key}},
            }
            for o in objs
        ],
    }
    return [orjson.dumps(doc).decode() for doc in shaped[message.shape]]


def content(kind: str, serial: int, key: str) -> bytes | None:
    """What the bucket holds for an object (None: nothing)."""
    if kind == "log":
        records = [make_record(serial * 10 + i) for i in range(3)]
        return gzip.compress(orjson.dumps({"Records": records}))
    if kind == "truncated":
        return gzip.compress(orjson.dumps({"Records": [make_record(serial)]}))[:30]
    if kind == "digest":
        return gzip.compress(orjson.dumps({"digestS3Object": key, "awsAccountId": ACCOUNT}))
    return {"garbage": b"\x00\xff not json", "empty": b""}.get(kind)


# Watching the file system ---------------------------------------------------------------------
_WATCH: list[list[tuple[str, str]]] = []  # the writes seen while a watch is on


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCH:
        return
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        targets = [(path, None)] if writes else []
    elif event in _DIR_FD:  # (path arguments, where their dir_fd arguments are)
        paths, fds = _DIR_FD[event]
        targets = [
            (args[p], args[f] if f < len(args) else None) for p, f in zip(paths, fds, strict=True)
        ]
    elif event in _WRITES:
        targets = [(args[0], None)]
    else:
        return
    for path, dir_fd in targets:
        if isinstance(path, int) or path is None:
            continue
        name = os.fsdecode(path)
        if isinstance(dir_fd, int) and dir_fd >= 0:  # relative to an open folder (rmtree)
            name = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)
        _WATCH[-1].append((event, os.path.realpath(name)))


sys.addaudithook(_audit_hook)


def snapshot(root: Path, skip: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` but ``skip``: (mode, size, mtime in ns)."""
    found = {}
    for folder, dirs, files in os.walk(root):
        if Path(folder) == skip:
            dirs.clear()
            continue
        for name in dirs + files:
            if Path(folder) / name == skip:
                continue
            info = os.lstat(Path(folder) / name)
            found[str(Path(folder) / name)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


# The run --------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What the collector did, read back from the store."""

    summary: Any
    ingested: set[str]
    poison: dict[str, str]
    kept_digests: set[str]
    writes: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture(scope="module")
def fuzz_aws(moto_endpoint: str) -> Iterator[Aws]:
    """Credentials and ``AWS_ENDPOINT_URL`` for the whole module (hypothesis reuses fixtures)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": moto_endpoint,
        }.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            patch.delenv(name, raising=False)
        patch.setattr(sys, "dont_write_bytecode", True)  # an import may not write either
        yield Aws(moto_endpoint)


def run_collector(aws: Aws, data_dir: DataDir, sent: list[Message]) -> tuple[Outcome, list[str]]:
    """Fill the bucket and the queue, run the collector once; returns what it did."""
    urllib3.PoolManager().request("POST", f"{aws.endpoint}/moto-api/reset")
    url, _ = aws.queue(f"fuzz-{uuid.uuid4().hex[:8]}")
    s3, sqs = aws.client("s3"), aws.client("sqs")
    s3.create_bucket(Bucket=BUCKET)
    serial = 0
    put: set[str] = set()
    for message in sent:
        for obj in message.objects:
            serial += 1
            body = content(obj.body, serial, obj.key)
            if obj.bucket == BUCKET and body is not None and obj.key not in put:
                try:
                    s3.put_object(Bucket=BUCKET, Key=obj.key, Body=body)
                    put.add(obj.key)
                except Exception:  # a key S3 (moto) will not store: announced, never there
                    pass
    message_ids = []
    for message in sent:
        for body in render(message):
            message_ids.append(sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"])
    store = IntegrationStore(StateDB(data_dir.state_db))
    integration = store.add(Integration.create("fuzz", url))
    _WATCH.append([])
    try:
        summary = collect(data_dir, [integration], once=True, options=OPTIONS)["fuzz"]
    finally:
        writes = _WATCH.pop()
    assert aws.queue_depth(url) == 0, "every message leaves the queue"
    with StateDB(data_dir.state_db).connect() as con:
        ingested = {u for (u,) in con.execute("SELECT uri FROM ingested_files").fetchall()}
    poison = {uri: reason for _, uri, reason, _ in store.poison_objects("fuzz")}
    kept = set()
    for meta in (data_dir.root / "digests").rglob("*.meta.json"):
        kept.add(orjson.loads(meta.read_bytes())["source"])
    return Outcome(summary, ingested, poison, kept, writes), message_ids


@settings(
    # About a second each (an Ingestor, moto round trips); raise it to fuzz longer.
    max_examples=int(os.environ.get("TRAILHOUND_FUZZ_EXAMPLES", "8")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(sent=st.lists(messages, min_size=1, max_size=4))
@example(  # the write and delete outside the data directory, beside a good object
    sent=[
        Message(
            "cloudtrail",
            (
                Announced(BUCKET, PREFIXES[1] + UP + "sentinel/sub/victim.pth", "garbage"),
                Announced(BUCKET, PREFIXES[0] + NAMES[0], "log"),
                Announced(BUCKET, PREFIXES[1] + UP + "sentinel/keep.txt", "missing"),
            ),
        )
    ]
)
@example(sent=[Message("sns+s3", (Announced("../..", PREFIXES[0] + NAMES[0], "log"),))])
def test_hostile_input_stays_inside_and_is_accounted_for(
    fuzz_aws: Aws, sent: list[Message]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder).resolve()
        sentinel = base / "sentinel"
        (sentinel / "sub").mkdir(parents=True)
        (sentinel / "keep.txt").write_text("keep")
        (sentinel / "sub" / "victim.pth").write_text("original")
        data_dir = DataDir(base / "a" / "b" / "c" / "data").ensure()
        before = snapshot(base, skip=data_dir.root)

        outcome, message_ids = run_collector(fuzz_aws, data_dir, sent)

        assert snapshot(base, skip=data_dir.root) == before
        inside = [Path(p).is_relative_to(data_dir.root) for _, p in outcome.writes]
        assert any(inside), "the audit hook saw the collector's own writes"
        outside = [w for w, ok in zip(outcome.writes, inside, strict=True) if not ok]
        assert outside == [], "written outside the data directory"
        check_accounting(outcome, sent, message_ids)


def check_accounting(outcome: Outcome, sent: list[Message], message_ids: list[str]) -> None:
    """Every object and message is ingested, kept, recorded as poison or counted as skipped."""
    bodies = [body for message in sent for body in render(message)]
    announced: dict[str, str] = {}  # uri → key
    refused: set[str] = set()
    for message_id, body in zip(message_ids, bodies, strict=True):
        try:
            notification = parse_body(body)
        except NotificationError:
            assert f"sqs://{message_id}" in outcome.poison
            continue
        announced.update((ref.uri, ref.key) for ref in notification.objects)
        refused.update(r.name for r in notification.rejected)
    for name in refused:  # recorded under its s3:// name or, when unnamed, the message's
        assert name in outcome.poison or any(p.endswith(f"#{name}") for p in outcome.poison)
    assert all(reason for reason in outcome.poison.values())
    assert not outcome.ingested & refused
    uncounted = []
    for uri, key in announced.items():
        landed = uri in outcome.ingested or uri in outcome.poison or uri in outcome.kept_digests
        kind = parse_name(key).input_format
        if not landed and not (isinstance(kind, SkipReason) and kind is not SkipReason.DIGEST):
            uncounted.append(uri)
        elif not landed:
            assert outcome.summary.skipped[kind.value] >= 1
    assert uncounted == [], "neither ingested, kept, poison nor skipped"
    assert outcome.summary.objects == len(outcome.ingested & set(announced))
