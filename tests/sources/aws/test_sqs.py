"""The SQS source through the ingest loop against moto's S3, SNS and SQS over HTTP, checked in the
real store."""

from __future__ import annotations

import gzip
import signal
import stat
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import orjson
import pytest

from tests.sources.conftest import ACCOUNT, OTHER_ACCOUNT, Aws, log_key, log_object
from tests.sources.test_digests import Trail, hour_start, public_key_list
from trailhound.collect import collect, graceful_shutdown
from trailhound.data_dir import DataDir
from trailhound.detect.ledger import check
from trailhound.ingest import Ingestor
from trailhound.sources.aws.integrations import Integration, IntegrationState
from trailhound.sources.aws.notifications import ObjectRef
from trailhound.sources.aws.sqs import CollectorOptions, SqsSource, tmp_files
from trailhound.sources.digests import load_public_keys
from trailhound.store.engine import QueryEngine
from trailhound.store.integrations import IntegrationStore
from trailhound.store.state import StateDB

pytestmark = pytest.mark.aws
FAST = CollectorOptions(
    workers=4, drain_wait_seconds=1, retry_base_seconds=0, visibility_timeout=30, max_receives=3
)


def _integration(data_dir: DataDir, url: str, accounts: str = "") -> Integration:
    store = IntegrationStore(StateDB(data_dir.state_db))
    return store.add(Integration.create("prod", url, accounts=accounts))


def _drain(
    data_dir: DataDir, url: str, options: CollectorOptions = FAST, accounts: str = ""
) -> Any:
    store = IntegrationStore(StateDB(data_dir.state_db))
    integration = store.find("prod") or _integration(data_dir, url, accounts)
    return collect(data_dir, [integration], once=True, options=options)["prod"]


def _count(data_dir: DataDir, sql: str = "SELECT count(*) FROM cloudtrail") -> int:
    with QueryEngine(data_dir) as engine:
        return int(engine.execute(sql)[1][0][0])


def test_direct_s3_notifications(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=6, per_object=5)
    summary = _drain(data_dir, url)
    assert summary.objects == 6
    assert summary.ignored_messages == 1  # the s3:TestEvent sent when notifications are set
    assert _count(data_dir) == 30
    assert aws.queue_depth(url) == 0
    stored = IntegrationStore(StateDB(data_dir.state_db)).get("prod")
    assert (stored.objects_ingested, stored.events_ingested) == (6, 30)
    assert stored.last_message_at is not None


def test_sns_wrapped_and_cloudtrail_sns_notifications(aws: Aws, data_dir: DataDir) -> None:
    url, topic = aws.bucket_to_topic_to_queue()
    keys = aws.put_logs("trail-bucket", count=2, per_object=4)
    # CloudTrail's own delivery notification names objects it wrote, possibly several per message.
    extra = aws.put_logs("trail-bucket", count=2, per_object=4, start=100)
    aws.client("sns").publish(
        TopicArn=topic,
        Message=orjson.dumps({"s3Bucket": "trail-bucket", "s3ObjectKey": extra}).decode(),
    )
    summary = _drain(data_dir, url)
    assert len(keys) == 2
    assert _count(data_dir) == 16
    assert summary.ingest.duplicates == 0  # objects already in the ledger are not read twice
    assert summary.skipped["already ingested"] + summary.objects >= 4


def test_eventbridge_object_created(aws: Aws, data_dir: DataDir) -> None:
    url, _ = aws.queue()
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="eb-bucket")
    key = log_key()
    s3.put_object(Bucket="eb-bucket", Key=key, Body=log_object(0, 7))
    event = {
        "version": "0",
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT,
        "region": "us-east-1",
        "detail": {"bucket": {"name": "eb-bucket"}, "object": {"key": key, "size": 1}},
    }
    aws.client("sqs").send_message(QueueUrl=url, MessageBody=orjson.dumps(event).decode())
    summary = _drain(data_dir, url)
    assert summary.objects == 1
    assert _count(data_dir) == 7


def test_url_encoded_keys_and_digests(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    s3 = aws.client("s3")
    key = log_key(suffix="odd name+plus")
    s3.put_object(Bucket="trail-bucket", Key=key, Body=log_object(0, 3))
    digest = (
        f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2026/11/02/"
        f"{ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20261102T110000Z.json.gz"
    )
    s3.put_object(Bucket="trail-bucket", Key=digest, Body=gzip.compress(b"{}"))
    received = aws.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    bodies = " ".join(m["Body"] for m in received["Messages"])
    assert quote_plus(key.rsplit("/", 1)[-1]) in bodies  # S3 really sends the key encoded
    summary = _drain(data_dir, url)
    assert _count(data_dir) == 3
    assert summary.ingest.quarantined == 0
    # Kept by a hash and its file name, never at the path the raw key spells.
    kept = sorted(p.name for p in (data_dir.root / "digests").rglob("*") if p.is_file())
    name = digest.rsplit("/", 1)[-1]
    assert len(kept) == 2 and kept[0].endswith("_" + name), kept
    assert kept[1] == kept[0] + ".meta.json"  # where it came from (moto gave no signature)
    assert summary.digests == 1
    with QueryEngine(data_dir) as engine:
        assert engine.execute("SELECT uri FROM ingested_files")[1] == [
            (f"s3://trail-bucket/{key}",)
        ]


def test_truncated_gzip_is_quarantined_and_the_batch_goes_on(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=3, per_object=5)
    broken = log_key(suffix="broken")
    aws.client("s3").put_object(Bucket="trail-bucket", Key=broken, Body=log_object(500, 50)[:200])
    summary = _drain(data_dir, url)
    assert _count(data_dir) == 15
    assert summary.poison == 0
    assert aws.queue_depth(url) == 0
    assert _count(data_dir, "SELECT count(*) FROM quarantine WHERE source LIKE '%broken%'") >= 1


def test_missing_object_becomes_poison_after_max_receives(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    keys = aws.put_logs("trail-bucket", count=2, per_object=5)
    aws.client("s3").delete_object(Bucket="trail-bucket", Key=keys[0])  # lifecycle got there first
    summary = _drain(data_dir, url)
    assert summary.poison == 1
    assert summary.failed_objects == FAST.max_receives
    assert _count(data_dir) == 5
    assert aws.queue_depth(url) == 0
    store = IntegrationStore(StateDB(data_dir.state_db))
    [(name, uri, reason, _)] = store.poison_objects("prod")
    assert (name, uri) == ("prod", f"s3://trail-bucket/{keys[0]}")
    assert "NoSuchKey" in reason
    assert store.get("prod").poison == 1


def test_unknown_message_is_poison_not_dropped(aws: Aws, data_dir: DataDir) -> None:
    url, _ = aws.queue()
    aws.client("sqs").send_message(QueueUrl=url, MessageBody='{"hello": "world"}')
    summary = _drain(
        data_dir, url, CollectorOptions(drain_wait_seconds=1, retry_base_seconds=0, max_receives=1)
    )
    assert summary.poison == 1 and summary.ignored_messages == 0
    [(_, uri, reason, _)] = IntegrationStore(StateDB(data_dir.state_db)).poison_objects()
    assert uri.startswith("sqs://") and "no known shape" in reason


class _Crash(BaseException):
    """Stands for the process dying: nothing in the collector may catch it."""


def test_crash_between_store_and_delete_loses_nothing(
    aws: Aws, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=4, per_object=5)

    def crash(self: SqsSource, messages: Any) -> None:
        raise _Crash

    with monkeypatch.context() as patch:
        patch.setattr(SqsSource, "delete_messages", crash)
        with pytest.raises(_Crash):
            _drain(data_dir, url, CollectorOptions(drain_wait_seconds=1, visibility_timeout=1))
    assert _count(data_dir) == 20
    assert aws.queue_depth(url) >= 4  # nothing was acknowledged
    time.sleep(1.2)  # the visibility timeout lapses: the queue delivers again
    summary = _drain(data_dir, url)
    assert summary.messages >= 4
    assert _count(data_dir) == 20  # no duplicates
    assert _count(data_dir, "SELECT count(DISTINCT event_id) FROM cloudtrail") == 20
    assert aws.queue_depth(url) == 0


def test_pause_keeps_messages_and_resume_reads_them(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=3, per_object=2)
    store = IntegrationStore(StateDB(data_dir.state_db))
    _integration(data_dir, url)
    store.set_state("prod", IntegrationState.PAUSED)
    summaries = collect(data_dir, [store.get("prod")], once=True, options=FAST)
    assert summaries["prod"].messages == 0
    assert aws.queue_depth(url) == 4  # three objects and the test event, untouched
    store.set_state("prod", IntegrationState.ENABLED)
    summaries = collect(data_dir, [store.get("prod")], once=True, options=FAST)
    assert summaries["prod"].objects == 3
    assert _count(data_dir) == 6


def test_account_filter_keeps_listed_accounts(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=2, per_object=3, account=ACCOUNT)
    aws.put_logs("trail-bucket", count=2, per_object=3, start=50, account=OTHER_ACCOUNT)
    summary = _drain(data_dir, url, accounts=ACCOUNT)
    assert summary.skipped["account filter"] == 2
    assert _count(data_dir) == 6
    assert _count(data_dir, "SELECT count(DISTINCT recipient_account_id) FROM cloudtrail") == 1


def test_sse_kms_objects_read_as_usual(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    key_id = aws.client("kms").create_key()["KeyMetadata"]["KeyId"]
    aws.client("s3").put_object(
        Bucket="trail-bucket",
        Key=log_key(),
        Body=log_object(0, 4),
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_id,
    )
    _drain(data_dir, url)
    assert _count(data_dir) == 4


def test_visibility_is_extended_while_processing(
    aws: Aws, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=1, per_object=2)
    sqs = aws.client("sqs")
    sqs.delete_message(
        QueueUrl=url,
        ReceiptHandle=sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"],
    )  # the test event
    seen: list[int] = []
    original = SqsSource.fetch

    def slow_fetch(self: SqsSource, ref: Any) -> Any:
        time.sleep(3.5)  # longer than the 2 s visibility timeout
        seen.append(len(sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages", [])))
        return original(self, ref)

    monkeypatch.setattr(SqsSource, "fetch", slow_fetch)
    _drain(
        data_dir,
        url,
        CollectorOptions(drain_wait_seconds=1, visibility_timeout=2, heartbeat_seconds=0.5),
    )
    assert seen == [0]  # nobody else could see the message while it was in flight
    assert _count(data_dir) == 2


def test_sigterm_stops_the_loop_after_in_flight_work(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=2, per_object=2)
    stop = threading.Event()
    store = IntegrationStore(StateDB(data_dir.state_db))
    _integration(data_dir, url)
    result: dict[str, Any] = {}
    with graceful_shutdown(stop):
        worker = threading.Thread(
            target=lambda: result.update(
                collect(
                    data_dir,
                    [store.get("prod")],
                    options=CollectorOptions(wait_seconds=1),
                    stop=stop,
                )
            )
        )
        worker.start()
        deadline = time.monotonic() + 20
        while aws.queue_depth(url) and time.monotonic() < deadline:
            time.sleep(0.2)
        signal.raise_signal(signal.SIGTERM)
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert stop.is_set()
    assert _count(data_dir) == 4


# Hostile input --------------------------------------------------------------------------------
def _notice(aws: Aws, url: str, keys: list[str], bucket: str = "trail-bucket") -> None:
    """CloudTrail's own delivery notice, sent straight to the queue: plain keys, no checks."""
    body = orjson.dumps({"s3Bucket": bucket, "s3ObjectKey": keys}).decode()
    aws.client("sqs").send_message(QueueUrl=url, MessageBody=body)


def _digest_key(tail: str) -> str:
    return f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/{tail}"


def test_traversal_keys_write_and_delete_nothing_outside(aws: Aws, data_dir: DataDir) -> None:
    url, _ = aws.queue()
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="trail-bucket")
    good = aws.put_logs("trail-bucket", count=1, per_object=5)[0]
    victim = data_dir.root.parent / "victim.pth"  # beside the data directory
    victim.write_text("original")
    up = "../" * 7  # from digests/trail-bucket/AWSLogs/<acct>/CloudTrail-Digest/<region>/
    written = _digest_key(f"{up}victim.pth")  # exists: its bytes were written there
    s3.put_object(Bucket="trail-bucket", Key=written, Body=b"import os; os.system('id')")
    deleted = _digest_key(f"{up}victim.pth.missing/../victim.pth")  # missing: unlink()ed it
    _notice(aws, url, [written, good, deleted])
    summary = _drain(data_dir, url)
    assert victim.read_text() == "original"
    assert summary.objects == 1 and _count(data_dir) == 5  # the message's good object landed
    assert summary.poison == 2 and summary.failed_objects == 0  # refused at once, no retries
    assert aws.queue_depth(url) == 0
    poison = IntegrationStore(StateDB(data_dir.state_db)).poison_objects("prod")
    assert sorted(uri for _, uri, _, _ in poison) == sorted(
        f"s3://trail-bucket/{k}" for k in (written, deleted)
    )
    assert {reason for _, _, reason, _ in poison} == {
        "refused: invalid object key: a '.' or '..' segment"
    }
    assert not list((data_dir.root / "digests").rglob("*victim*"))


def test_hostile_bucket_names_are_refused_unread(aws: Aws, data_dir: DataDir) -> None:
    url, _ = aws.queue()
    _notice(aws, url, [log_key()], bucket="../../..")
    _notice(aws, url, [log_key()], bucket="x" * 300)
    summary = _drain(data_dir, url)
    assert summary.poison == 2 and summary.objects == 0
    reasons = {r for _, _, r, _ in IntegrationStore(StateDB(data_dir.state_db)).poison_objects()}
    assert reasons == {"refused: invalid bucket name: not one S3 allows"}
    assert not (data_dir.root / "digests").exists()


def test_temporary_downloads_are_private_and_go_away(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    [key] = aws.put_logs("trail-bucket", count=1, per_object=2)
    collector = SqsSource(_integration(data_dir, url), data_dir, options=FAST)
    try:
        fetch = collector.fetch(ObjectRef("trail-bucket", key))
        assert fetch.source is not None and fetch.sha256 is not None
        path = fetch.source.path
        assert path.parent == collector.downloads.folder
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert tmp_files(data_dir) == [path]
    finally:
        collector.close()
    assert tmp_files(data_dir) == []


def test_downloads_left_by_a_crash_are_removed_at_start_up(aws: Aws, data_dir: DataDir) -> None:
    url = aws.bucket_to_queue()
    left = data_dir.root / "tmp" / "collect" / "run-dead"
    left.mkdir(parents=True)
    (left / ".lock").touch()
    (left / "x-111122223333_CloudTrail_us-east-1_a.json.gz").write_bytes(log_object(0, 1))
    (left.parent / "loose.json.gz").write_bytes(b"from an older version")
    assert len(tmp_files(data_dir)) == 2
    collector = SqsSource(_integration(data_dir, url), data_dir, options=FAST)
    collector.close()
    assert tmp_files(data_dir) == []
    assert stat.S_IMODE(left.parent.stat().st_mode) == 0o700


def test_an_object_failing_ingest_costs_only_itself(
    aws: Aws, data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = aws.queue()
    aws.client("s3").create_bucket(Bucket="trail-bucket")
    keys = aws.put_logs("trail-bucket", count=5, per_object=4)
    hostile = keys[2]
    original = Ingestor._ingest_chunk

    def ingest_chunk(self: Ingestor, chunk: Any) -> Any:
        if any(f.uri.endswith(hostile) for f in chunk.files):  # stands for a bug it trips
            raise TypeError("'<' not supported between instances of 'str' and 'datetime'")
        return original(self, chunk)

    monkeypatch.setattr(Ingestor, "_ingest_chunk", ingest_chunk)
    _notice(aws, url, keys)
    summary = _drain(data_dir, url)
    assert _count(data_dir) == 16  # the four others, on the first delivery
    assert summary.poison == 1 and summary.failed_objects == FAST.max_receives
    [(_, uri, reason, _)] = IntegrationStore(StateDB(data_dir.state_db)).poison_objects()
    assert uri.endswith(hostile) and reason.startswith("ingest failed: '<' not supported")
    assert aws.queue_depth(url) == 0


def test_ten_thousand_refused_keys_are_recorded_in_seconds(aws: Aws, data_dir: DataDir) -> None:
    url, _ = aws.queue()
    _notice(aws, url, [f"../{n}" for n in range(10_000)])  # 110 KB, under SQS's 256 KB
    started = time.perf_counter()
    summary = _drain(data_dir, url)
    elapsed = time.perf_counter() - started
    assert summary.poison == 10_000
    assert len(IntegrationStore(StateDB(data_dir.state_db)).poison_objects("prod")) == 10_000
    assert elapsed < 20, elapsed  # one connection per row took 8 minutes


def _ledger(data_dir: DataDir, keys: Any) -> Any:
    """The ledger over the digests the collector kept, lateness and silence aside."""
    digests = [data_dir.root / "digests"]
    return check(data_dir, digests, keys, late_after=None, silence_threshold=None)


def test_collected_digests_verify_and_forged_copies_are_found(
    aws: Aws, data_dir: DataDir, tmp_path: Path
) -> None:
    url = aws.bucket_to_queue()
    s3 = aws.client("s3")
    trail = Trail(tmp_path / "trail")
    start = hour_start()
    logs = [trail.log_file(start + timedelta(minutes=m)) for m in (5, 35)]
    genuine = trail.digest(start, logs)
    for path, key, _ in logs:
        s3.put_object(Bucket="trail-bucket", Key=key, Body=path.read_bytes())
    digest_key = genuine.relative_to(trail.root).as_posix()
    signature = genuine.with_name(genuine.name + ".signature").read_text()
    s3.put_object(
        Bucket="trail-bucket",
        Key=digest_key,
        Body=genuine.read_bytes(),
        Metadata={"signature": signature, "signature-algorithm": "SHA256withRSA"},
    )
    keys = load_public_keys(public_key_list(trail.key))
    _drain(data_dir, url)
    report = _ledger(data_dir, keys)
    assert report.findings == [] and report.signatures == {"valid": 1}
    assert report.files_listed == 2 and report.signatures_checked

    # A forger lists a doctored log file: in a copy under another key, then over the original.
    doc = orjson.loads(gzip.decompress(genuine.read_bytes()))
    doc["logFiles"][0]["hashValue"] = "0" * 64
    forged = gzip.compress(orjson.dumps(doc))
    s3.put_object(Bucket="trail-bucket", Key=digest_key.replace("/us-east-1/", "/x/"), Body=forged)
    s3.put_object(Bucket="trail-bucket", Key=digest_key, Body=forged)
    _drain(data_dir, url)
    report = _ledger(data_dir, keys)
    assert sorted(f.kind.value for f in report.findings) == [
        "conflicting-digest",
        "misplaced-digest",
    ]
    assert report.signatures == {"valid": 1}  # the log files are checked against the genuine one
    unchecked = _ledger(data_dir, None)
    assert not unchecked.signatures_checked
    assert {f.kind.value for f in unchecked.findings} == {"conflicting-digest", "misplaced-digest"}
