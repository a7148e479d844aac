"""An integration's SQS queue of S3 notifications as a source: receive, download, then delete.

Nothing is lost. A batch of messages goes through these steps, and a message is deleted only in
the last one, after the ingest loop has stored its objects (lake, both ledgers, quarantine):

1. receive up to ``messages_per_batch`` messages (long poll) and parse them
   (``notifications.parse_body``); test events and messages announcing nothing are deleted;
   objects with a bucket or key that fails the checks are refused unread;
2. drop what is not a log file (digests are kept aside for the ledger) and the accounts the
   integration's filter excludes; skip objects the ledger already holds (a redelivery);
3. download the rest in parallel threads to private temporary files (``downloads``), hashing
   each for the completeness ledger, while a heartbeat extends the visibility of every message
   in flight; the files go to the ingest loop as one batch (the loop receives the next batch
   while it stores this one);
4. once told what became of the batch (``acknowledge``): delete the messages whose objects all
   landed; put the others back with a backoff delay, and after ``max_receives`` deliveries
   record their objects as poison (object, reason) and delete. Refused objects and unreadable
   messages are recorded as poison when their message is done (retrying cannot help them); all
   poison of a batch is written in one transaction.

A crash anywhere before step 4 means the queue delivers the message again, and the ledger and
the lake's ``eventID`` dedupe make that harmless. The integration's state, counters and poison
objects go through the ``SourceStatus`` the loop's caller passes (``store.integrations``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from trailhound.data_dir import DataDir
from trailhound.errors import CollectError
from trailhound.model import BatchOutcome, IngestSummary, RawBatch, SkipReason, SourceFile
from trailhound.sources.aws.clients import AwsClients, error_code, error_message
from trailhound.sources.aws.downloads import DownloadArea, leftover_files
from trailhound.sources.aws.integrations import Integration, IntegrationState
from trailhound.sources.aws.notifications import NotificationError, ObjectRef, parse_body
from trailhound.sources.base import (
    DEFAULT_MAX_OBJECT_BYTES,
    UNTRACKED,
    Activity,
    PoisonRecord,
    SourceContext,
    SourceStatus,
)
from trailhound.sources.compression import CompressionError, file_sha256
from trailhound.sources.digests import (
    DIGEST_MAX_BYTES,
    save_digest_metadata,
    stored_digest_name,
)
from trailhound.sources.names import parse_name

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024
_DISCONNECTED_CODES = frozenset(
    {
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "InvalidClientTokenId",
        "ExpiredToken",
    }
)


KnownFiles = Callable[[Sequence[str]], Mapping[str, tuple[int, float]]]


def _nothing_known(uris: Sequence[str]) -> Mapping[str, tuple[int, float]]:
    return {}


def etag_mtime(etag: str) -> float:
    """The number standing in for an S3 object's mtime in the ingest ledger: its ETag's hash."""
    digits = "".join(c for c in etag.strip('"') if c in "0123456789abcdef")[:13]
    return float(int(digits, 16)) if digits else 0.0


@dataclass(frozen=True, slots=True)
class CollectorOptions:
    """Knobs of the collector."""

    workers: int = 4  # download threads
    max_receives: int = 5  # deliveries before an object is recorded as poison
    visibility_timeout: int = 300  # seconds a received message stays hidden from others
    wait_seconds: int = 20  # long poll
    drain_wait_seconds: int = 1  # long poll when draining with --once
    messages_per_batch: int = 100  # messages gathered for one ingest
    retry_base_seconds: int = 10  # first backoff; doubles per delivery
    retry_max_seconds: int = 900
    heartbeat_seconds: float | None = None  # default: a third of the visibility timeout


@dataclass(slots=True)
class CollectSummary:
    """What a collector run did, counted."""

    messages: int = 0
    objects: int = 0  # objects fetched and ingested
    digests: int = 0  # digest files fetched and kept for the ledger
    skipped: Counter[str] = field(default_factory=Counter)  # objects not ingested, by reason
    ignored_messages: int = 0  # test events and messages announcing nothing
    failed_objects: int = 0  # failed attempts, retried later
    poison: int = 0
    ingest: IngestSummary = field(default_factory=IngestSummary)
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        """Records ingested per second of wall time."""
        return self.ingest.records / self.seconds if self.seconds > 0 else 0.0

    def merge(self, other: CollectSummary) -> None:
        """Add another summary's counts to this one."""
        self.messages += other.messages
        self.objects += other.objects
        self.digests += other.digests
        self.skipped.update(other.skipped)
        self.ignored_messages += other.ignored_messages
        self.failed_objects += other.failed_objects
        self.poison += other.poison
        self.ingest.merge(other.ingest)

    def line(self) -> str:
        """A one-line human summary."""
        skipped = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()) if n)
        return (
            f"{self.messages:,} messages, {self.objects:,} objects, {self.digests:,} digests, "
            f"{self.ingest.events_written:,} events written ({self.ingest.duplicates:,} "
            f"duplicates, {self.ingest.quarantined:,} quarantined), "
            f"{self.ignored_messages:,} ignored messages, {self.failed_objects:,} failed "
            f"attempts, {self.poison:,} poison" + (f"; skipped {skipped}" if skipped else "")
        )


@dataclass(slots=True)
class _Message:
    message_id: str
    receipt: str
    receive_count: int
    sent_at: datetime | None
    objects: list[ObjectRef] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # uri → reason; retried
    refused: dict[str, str] = field(default_factory=dict)  # uri → reason; retrying cannot help


@dataclass(slots=True)
class _Fetch:
    ref: ObjectRef
    source: SourceFile | None = None
    error: str | None = None
    permanent: bool = False  # the error will not go away by retrying
    sha256: str | None = None  # of the uncompressed content, for the completeness ledger
    digest: bool = False  # a digest file, kept for the ledger
    path: Path | None = None  # the temporary download, removed once ingested


class _Heartbeat:
    """Keeps the messages in flight invisible to other consumers while they are processed."""

    def __init__(self, collector: SqsSource, receipts: Sequence[str]) -> None:
        self.collector = collector
        self.receipts = list(receipts)
        self.done = threading.Event()
        options = collector.options
        self.interval = options.heartbeat_seconds or max(options.visibility_timeout / 3, 1.0)
        self.thread = threading.Thread(target=self._beat, name="sqs-heartbeat", daemon=True)

    def start(self) -> _Heartbeat:
        """Start beating in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop beating (idempotent)."""
        self.done.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join()

    def _beat(self) -> None:
        while not self.done.wait(self.interval):
            timeout = self.collector.options.visibility_timeout
            self.collector.change_visibility(self.receipts, timeout)


@dataclass(slots=True)
class _Batch:
    """Messages received and their objects downloaded, waiting to be stored and acknowledged."""

    messages: list[_Message]
    summary: CollectSummary
    fetched: dict[str, _Fetch]
    heartbeat: _Heartbeat


class SqsSource:
    """One integration's queue, its downloads in one data directory."""

    name: ClassVar[str] = "sqs"
    continuous: ClassVar[bool] = True

    def __init__(
        self,
        integration: Integration,
        data_dir: DataDir,
        *,
        options: CollectorOptions | None = None,
        clients: AwsClients | None = None,
        once: bool = False,
        wait_for_retries: bool = True,
    ) -> None:
        """``once``: stop when the queue is drained; then wait for messages put back with a
        backoff unless ``wait_for_retries`` is false (the round-robin of several integrations).
        """
        self.integration = integration
        self.options = options or CollectorOptions()
        self.clients = clients or AwsClients(integration.connection)
        self.downloads = DownloadArea(data_dir.ensure()).open()  # cleans what a crash left
        self.once = once
        self.wait_for_retries = wait_for_retries
        self.summary = CollectSummary()  # of the current (or last) ingest call
        self.max_object_bytes = DEFAULT_MAX_OBJECT_BYTES  # the loop's, once it asks
        self.stop = threading.Event()
        self.status: SourceStatus = UNTRACKED  # the integration's, once the loop lends it
        self._known: KnownFiles = _nothing_known
        self.last_receive_ok: float | None = None  # monotonic time the queue last answered
        self._retry_due: dict[str, float] = {}  # message ID → when a backed-off message returns
        self._unacknowledged: dict[int, _Batch] = {}  # yielded, not acknowledged yet
        self._acknowledged = threading.Condition()  # guards it; notified on every change

    def close(self) -> None:
        """Give back batches never acknowledged; remove this source's download folder."""
        self._release_unacknowledged()
        self.downloads.close()

    # The batches -------------------------------------------------------------------------
    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        """Receive and download batches until stopped (with ``once``, until drained)."""
        self.summary = CollectSummary()
        self.stop = context.stop
        self.max_object_bytes = context.max_object_bytes
        self.status = context.status
        self._known = context.known_files
        wait = self.options.drain_wait_seconds if self.once else self.options.wait_seconds
        try:
            while self._active():
                messages = self.poll(wait)
                if messages:
                    batch = self._prepare(messages)
                    with self._acknowledged:
                        self._unacknowledged[id(batch)] = batch
                    files = tuple(f.source for f in batch.fetched.values() if f.source)
                    yield RawBatch(files=files, skipped=Counter(batch.summary.skipped), token=batch)
                    continue
                if not self.once:
                    continue
                # The queue looks drained; the batches still being stored may yet put messages
                # back with a backoff (failures): only once they are acknowledged is it known.
                with self._acknowledged:
                    while self._unacknowledged and not self.stop.is_set():
                        self._acknowledged.wait(0.5)
                recent = time.monotonic() - 60  # older ones went to another consumer
                due = [t for t in self._retry_due.values() if t > recent]
                if not due or not self.wait_for_retries:
                    return
                self.stop.wait(max(0.0, min(due) - time.monotonic()) + 0.2)
        except GeneratorExit:  # the loop stops early: what it never took goes back at once
            self._release_unacknowledged()
            raise

    def _active(self) -> bool:
        """Whether to receive more: not stopped, and the integration is not paused."""
        while not self.stop.is_set():
            if self.status.state() != IntegrationState.PAUSED:
                return True
            if self.once:
                return False
            self.stop.wait(self.options.wait_seconds)
        return False

    def _release_unacknowledged(self) -> None:
        with self._acknowledged:
            batches = list(self._unacknowledged.values())
        for batch in batches:
            self._release(batch)

    def _forget(self, batch: _Batch) -> None:
        with self._acknowledged:
            self._unacknowledged.pop(id(batch), None)
            self._acknowledged.notify_all()

    def _release(self, batch: _Batch) -> None:
        """Give a batch back to the queue at once, unprocessed, and forget its downloads."""
        self._forget(batch)
        batch.heartbeat.stop()
        for fetch in batch.fetched.values():
            if fetch.path is not None:
                fetch.path.unlink(missing_ok=True)
        self.change_visibility([m.receipt for m in batch.messages], 0)

    def poll(self, wait: int) -> list[_Message]:
        """Receive up to a batch of messages: one long poll, then short ones while full."""
        messages: list[_Message] = []
        while len(messages) < self.options.messages_per_batch:
            try:
                response = self.clients.sqs().receive_message(
                    QueueUrl=self.integration.queue_url,
                    MaxNumberOfMessages=min(10, self.options.messages_per_batch - len(messages)),
                    WaitTimeSeconds=wait if not messages else 0,
                    VisibilityTimeout=self.options.visibility_timeout,
                    MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
                )
            except Exception as error:
                if messages:
                    break  # process what we hold; the next poll reports the error
                self._record_failure(error)
                raise CollectError(
                    f"{self.integration.name}: cannot receive from the queue: "
                    f"{error_message(error)}"
                ) from error
            self.last_receive_ok = time.monotonic()
            received = response.get("Messages", [])
            for raw in received:
                attributes = raw.get("Attributes", {})
                sent = attributes.get("SentTimestamp")
                messages.append(
                    _Message(
                        message_id=raw["MessageId"],
                        receipt=raw["ReceiptHandle"],
                        receive_count=int(attributes.get("ApproximateReceiveCount", 1)),
                        sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None,
                    )
                )
                messages[-1].objects = self._parse(raw.get("Body", ""), messages[-1])
            if len(received) < 10:
                break
        return messages

    def _record_failure(self, error: BaseException) -> None:
        state = (
            IntegrationState.DISCONNECTED
            if error_code(error) in _DISCONNECTED_CODES or "AssumeRole" in str(error)
            else IntegrationState.ERROR
        )
        logger.warning(
            "%s: cannot receive from the queue (%s): %s",
            self.integration.name,
            state.value,
            error_message(error),
        )
        self.status.set_state(state, error_message(error))
        self.status.record_activity(Activity(errors=1))

    def _parse(self, body: str, message: _Message) -> list[ObjectRef]:
        try:
            notification = parse_body(body)
        except NotificationError as error:
            message.refused[f"sqs://{message.message_id}"] = str(error)
            logger.warning("message %s refused: %s", message.message_id, error)
            return []
        for rejected in notification.rejected:
            name = rejected.name
            if not name.startswith("s3://"):  # a malformed record: name it by its message
                name = f"sqs://{message.message_id}#{name}"
            message.refused[name] = f"refused: {rejected.reason}"
            logger.info("%s refused: %s", name, rejected.reason)  # poison: summed up below
        return list(notification.objects)

    # One batch ---------------------------------------------------------------------------
    def _prepare(self, messages: list[_Message]) -> _Batch:
        heartbeat = _Heartbeat(self, [m.receipt for m in messages]).start()
        try:
            summary = CollectSummary(messages=len(messages))
            fetched = self._fetch_all(self._select(messages, summary), summary)
        except BaseException:
            heartbeat.stop()
            raise
        return _Batch(messages, summary, fetched, heartbeat)

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        """Delete (or back off, or poison) the messages of a stored batch; count it."""
        prepared = batch.token
        assert isinstance(prepared, _Batch)
        summary, fetched, messages = prepared.summary, prepared.fetched, prepared.messages
        try:
            summary.ingest.merge(outcome.summary)
            for fetch in fetched.values():
                if fetch.source is not None:
                    reason = outcome.failed.get(fetch.source.uri)
                    if reason is not None:
                        fetch.error, fetch.source = reason, None
                if fetch.path is not None:
                    fetch.path.unlink(missing_ok=True)
            summary.objects = sum(1 for f in fetched.values() if f.source is not None)
            summary.digests = sum(1 for f in fetched.values() if f.digest)
            for message in messages:
                for ref in message.objects:
                    attempt = fetched.get(ref.uri)
                    if attempt is not None and attempt.error is not None:
                        failures = message.refused if attempt.permanent else message.failures
                        failures[ref.uri] = attempt.error
            self._acknowledge(messages, summary)
        finally:
            prepared.heartbeat.stop()
            self._forget(prepared)
        self._record_activity(messages, summary)
        self.summary.merge(summary)
        logger.info("%s: batch stored: %s", self.integration.name, summary.line())

    def _select(self, messages: list[_Message], summary: CollectSummary) -> list[ObjectRef]:
        """The objects to fetch: log files, of kept accounts, not already in the ledger."""
        candidates: dict[str, ObjectRef] = {}
        for message in messages:
            if not message.objects and not message.failures and not message.refused:
                summary.ignored_messages += 1
            for ref in message.objects:
                name = parse_name(ref.key)
                kind = name.input_format
                if kind is SkipReason.DIGEST:
                    candidates.setdefault(ref.uri, ref)  # kept aside for the ledger
                elif isinstance(kind, SkipReason):
                    summary.skipped[kind.value] += 1
                    logger.debug("skipped %s: %s", ref.uri, kind.value)
                elif not self.integration.keeps_account(name.path_account):
                    summary.skipped["account filter"] += 1
                    logger.debug("skipped %s: account filter", ref.uri)
                else:
                    candidates.setdefault(ref.uri, ref)
        known = self._known(list(candidates))
        wanted: list[ObjectRef] = []
        for uri, ref in candidates.items():
            if (
                uri in known
                and ref.size is not None
                and ref.etag is not None
                and known[uri] == (ref.size, etag_mtime(ref.etag))
            ):
                summary.skipped[SkipReason.ALREADY_INGESTED.value] += 1
                logger.debug("skipped %s: %s", uri, SkipReason.ALREADY_INGESTED.value)
            else:
                wanted.append(ref)
        return wanted

    def _fetch_all(self, refs: list[ObjectRef], summary: CollectSummary) -> dict[str, _Fetch]:
        if not refs:
            return {}
        workers = max(1, min(self.options.workers, len(refs)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s3-get") as pool:
            fetches = list(pool.map(self.fetch, refs))
        known = self._known([f.source.uri for f in fetches if f.source is not None])
        for fetch in fetches:  # a redelivery whose message gave no size or ETag
            if fetch.source is not None and known.get(fetch.source.uri) == (
                fetch.source.size,
                fetch.source.mtime,
            ):
                fetch.source.path.unlink(missing_ok=True)
                fetch.source = None
                summary.skipped[SkipReason.ALREADY_INGESTED.value] += 1
                logger.debug("skipped %s: %s", fetch.ref.uri, SkipReason.ALREADY_INGESTED.value)
        return {f.ref.uri: f for f in fetches}

    def fetch(self, ref: ObjectRef) -> _Fetch:
        """Download one object to a private temporary file (a digest then to the digest folder).

        No more than the size limit is downloaded: a larger log file is handed to the ingest
        with its real size, which quarantines it unread; a larger digest is refused.
        """
        name = parse_name(ref.key)
        kind = name.input_format
        is_digest = kind is SkipReason.DIGEST
        limit = DIGEST_MAX_BYTES if is_digest else self.max_object_bytes
        try:
            handle, path = self.downloads.temporary(ref.key)
        except OSError as error:
            return _Fetch(ref, error=f"cannot create a temporary file: {error}")
        try:
            with handle:
                response = self.clients.s3().get_object(Bucket=ref.bucket, Key=ref.key)
                body = response["Body"]
                try:
                    copied = _copy(body, handle, limit + 1)
                finally:
                    body.close()
        except Exception as error:
            path.unlink(missing_ok=True)
            return _Fetch(ref, error=f"s3:GetObject failed: {error_message(error)}")
        size = max(copied, _int(response.get("ContentLength")))
        if isinstance(kind, SkipReason):  # a digest: _select lets no other skip through
            return self._keep_digest(ref, path, size, limit, response.get("Metadata") or {})
        try:
            digest = file_sha256(path, limit) if size <= limit else None
        except (OSError, CompressionError):
            digest = None  # damaged: ingest quarantines it; the ledger reports it unhashed
        source = SourceFile(
            uri=ref.uri,
            path=path,
            size=size,
            mtime=etag_mtime(str(response.get("ETag", ""))),
            format=kind,
            account_hint=name.path_account,
            sha256=digest,
        )
        return _Fetch(ref, source=source, sha256=digest, path=path)

    def _keep_digest(
        self, ref: ObjectRef, path: Path, size: int, limit: int, metadata: dict[str, str]
    ) -> _Fetch:
        """Move a downloaded digest to the digest folder, its metadata (signature) beside it."""
        try:
            if size > limit:
                return _Fetch(ref, error=f"digest of {size} bytes, over {limit}", permanent=True)
            content = hashlib.sha256(path.read_bytes()).hexdigest()
            signature = metadata.get("signature") if isinstance(metadata, dict) else None
            name = stored_digest_name(ref.uri, content, str(signature) if signature else None)
            target = self.downloads.digest_path(ref.bucket, name)
            save_digest_metadata(target, metadata, source=ref.uri)
            path.replace(target)
        except CollectError as error:
            return _Fetch(ref, error=str(error), permanent=True)
        except OSError as error:
            return _Fetch(ref, error=f"cannot keep the digest: {error}")
        finally:
            path.unlink(missing_ok=True)
        return _Fetch(ref, digest=True)

    # Acknowledging -----------------------------------------------------------------------
    def _acknowledge(self, messages: list[_Message], summary: CollectSummary) -> None:
        done: list[_Message] = []
        poison: list[PoisonRecord] = []
        for message in messages:
            summary.failed_objects += len(message.failures)
            if message.failures and message.receive_count < self.options.max_receives:
                delay = min(
                    self.options.retry_base_seconds * 2 ** (message.receive_count - 1),
                    self.options.retry_max_seconds,
                )
                self.change_visibility([message.receipt], delay)
                self._retry_due[message.message_id] = time.monotonic() + delay
                for uri, reason in message.failures.items():
                    logger.warning(
                        "%s: %s failed (delivery %d of %d): %s; retried in %d s",
                        self.integration.name,
                        uri,
                        message.receive_count,
                        self.options.max_receives,
                        reason,
                        delay,
                    )
                continue
            for uri, reason in [*message.refused.items(), *message.failures.items()]:
                poison.append(PoisonRecord(uri, message.message_id, message.receive_count, reason))
                logger.info("%s is poison, not retried: %s", uri, reason)
            done.append(message)
        if poison:  # before the delete: a crash in between records twice, never loses
            # One warning per batch (each object at info): a hostile queue must not flood the log.
            first = poison[0]
            logger.warning(
                "%s: %d object(s) recorded as poison, not retried (first: %s: %s)",
                self.integration.name,
                len(poison),
                first.uri,
                first.reason,
            )
            self.status.record_poison(poison)
            summary.poison += len(poison)
        self.delete_messages(done)

    def delete_messages(self, messages: Sequence[_Message]) -> None:
        """Delete handled messages from the queue (only ever after their objects are stored)."""
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            self.clients.sqs().delete_message_batch(
                QueueUrl=self.integration.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m.receipt} for i, m in enumerate(chunk)],
            )
            for message in chunk:
                self._retry_due.pop(message.message_id, None)

    def change_visibility(self, receipts: Sequence[str], seconds: int | float) -> None:
        """Hide (or, with 0, release) received messages for ``seconds``; failures are harmless."""
        for start in range(0, len(receipts), 10):
            chunk = receipts[start : start + 10]
            with contextlib.suppress(Exception):  # a lapsed receipt: the message is redelivered
                self.clients.sqs().change_message_visibility_batch(
                    QueueUrl=self.integration.queue_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": r, "VisibilityTimeout": int(seconds)}
                        for i, r in enumerate(chunk)
                    ],
                )

    def _record_activity(self, messages: list[_Message], summary: CollectSummary) -> None:
        sent = [m.sent_at for m in messages if m.sent_at is not None]
        self.status.record_activity(
            Activity(
                messages=len(messages),
                objects=summary.objects,
                events=summary.ingest.events_written,
                errors=summary.failed_objects,
                poison=summary.poison,
                last_message_at=max(sent) if sent else datetime.now(UTC),
            )
        )
        if self.status.state() in {IntegrationState.ERROR, IntegrationState.DISCONNECTED}:
            self.status.set_state(IntegrationState.ENABLED)


def _copy(body: Any, handle: BinaryIO, limit: int) -> int:
    """Copy up to ``limit`` bytes of ``body`` into ``handle``; returns how many."""
    copied = 0
    while copied < limit and (chunk := body.read(min(_CHUNK, limit - copied))):
        handle.write(chunk)
        copied += len(chunk)
    return copied


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def tmp_files(data_dir: DataDir) -> list[Path]:
    """Temporary downloads under ``tmp/collect``: of running collectors, or left by a crash.

    A collector removes at start-up those no running collector holds (``downloads``).
    """
    return leftover_files(data_dir.root / "tmp" / "collect")
