"""THE ingest loop: raw batches from any source → normalized events in the lake, then detection.

``Ingestor.ingest(source)`` pulls :class:`~trailhound.model.RawBatch` es from a source
(``sources.base``: files, standard input, an SQS queue, a third party's) and, for each:

1. loads its files and blobs into ``batch_events`` on a DuckDB connection of its own and
   normalizes them (``normalize.batch``); two batches at a time, in threads, while the source
   prepares the next one (an SQS source downloads it);
2. commits it, one batch at a time across threads and processes (``store.commit``): dedupe,
   write to the lake, add the batch's new source addresses to the intel enrichment table
   (``intel.enrichment``), then record every file in the ingest ledger *and* the completeness
   ledger and the quarantined input, in one transaction;
   A digest file a source meets is kept (a copy under ``<data_dir>/digests/local``) for the
   ledger, which checks the log files against it;
3. shows the committed batch, with its ``src_*`` intel fields, to the detection observer the
   caller passed (``detect.base.BatchObserver``) and raises the eventID conflicts as alerts;
4. tells the source what became of the batch (``Source.acknowledge``): only now may a queue
   delete its messages. A crash at any point means reading again, never loss.

The observer's ``finish`` and the lake's compaction run once at the end of the call, or after
every batch of a source that runs until stopped (``Source.continuous``).

A batch that fails for a reason in its data (not a full disk or a locked state database) is
split: its files are retried in halves down to the one that fails, and that file record by
record in halves down to the record, which is quarantined with the error. One bad record never
blocks the rest of its batch, on this run or the next. A batch that fails for another reason
fails as a whole (an unexpected error is narrowed down to the files that raise it first): a
continuous source is told, to retry later; for any other the error is raised.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson

from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchContext, BatchObserver
from trailhound.errors import TrailhoundError
from trailhound.model import (
    DEFAULT_LIMITS,
    BatchOutcome,
    Blob,
    IngestSummary,
    InputFormat,
    Match,
    QuarantineEntry,
    RawBatch,
    RawRecord,
    RecordLimits,
    SourceFile,
)
from trailhound.normalize.batch import BatchLoader, drop_batch
from trailhound.normalize.batch_checks import BATCH_TABLE
from trailhound.sources.base import (
    UNTRACKED,
    Source,
    SourceContext,
    SourceStatus,
    in_batches,
)
from trailhound.sources.decode import DEFAULT_MAX_BYTES
from trailhound.sources.digests import DigestError, keep_digest_file
from trailhound.sources.files import FileSource
from trailhound.sources.stdin import StdinSource
from trailhound.stage_clock import StageClock
from trailhound.store.commit import NEW_EVENTS, Committed, Committer, belongs_to
from trailhound.store.dedupe import CONFLICT_INFOS
from trailhound.store.lake import PartitionError
from trailhound.store.lakes import open_lake
from trailhound.store.state import EXCERPT_CHARS, StateDB

log = logging.getLogger(__name__)

# Errors that say nothing about the data (the disk, memory, the state database, a lock): a batch
# failing with one of these is retried whole later, never split and quarantined.
_ENVIRONMENT_ERRORS = (
    TrailhoundError,
    MemoryError,
    duckdb.IOException,
    duckdb.OutOfMemoryException,
    duckdb.InterruptException,
)
_DATA_OS_ERRORS = frozenset({errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ})
_ENRICHED = "new_events_enriched"  # the committed batch's view with its src_* fields
_STOP_CHECK_SECONDS = 0.5  # how soon the caller's stop reaches a source that waits

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """Knobs of an ingest run."""

    max_object_bytes: int = DEFAULT_MAX_BYTES
    # Largest decompressed log file DuckDB's reader takes; DuckDB allocates buffers of this size
    # per thread, so larger files go to the Python reader instead.
    fast_object_bytes: int = 64 * 1024 * 1024
    batch_bytes: int = 8 * 1024 * 1024  # compressed bytes of input per batch
    batch_files: int = 400
    parallel_batches: int = 2  # batches read and normalized at once
    memory_limit: str = "1536MB"
    compact: bool = True
    limits: RecordLimits = DEFAULT_LIMITS  # records per object, keys and depth per record
    # Failed commits while isolating the records of one object; past it, the records of a
    # failing part are quarantined without splitting further, so that hostile input cannot make
    # the search itself endless (every record failing would cost two commits a record).
    isolation_failures: int = 64
    # Add each batch's new source addresses to the intel enrichment table (the ``src_*`` fields);
    # off only to measure what it costs (``bench/enrich.py``): the next enriching ingest rebuilds.
    enrich: bool = True


@dataclass(slots=True)
class Progress:
    """Running totals handed to the progress callback.

    The callback hears of every file (and its events) once it is read, and of the totals again
    as each batch settles; the counts never go down.
    """

    files_done: int = 0
    files_total: int = 0
    records: int = 0
    bytes_done: int = 0


Item = SourceFile | Blob  # what a batch is read from


@dataclass(slots=True)
class _Pending:
    """A raw batch between its arrival and its acknowledgement."""

    raw: RawBatch
    chunks: int = 0  # parts not finished yet
    summary: IngestSummary = field(default_factory=IngestSummary)
    failed: dict[str, str] = field(default_factory=dict)
    error: BaseException | None = None


@dataclass(slots=True)
class _Chunk:
    """A part of a raw batch read and committed together (one DuckDB batch)."""

    owner: _Pending
    files: list[SourceFile]
    blobs: list[Blob]
    con: duckdb.DuckDBPyConnection
    files_reported: int = 0  # told to the progress callback while loading
    records_reported: int = 0

    @property
    def items(self) -> list[Item]:
        return [*self.files, *self.blobs]


def _name(item: Item) -> str:
    return item.uri if isinstance(item, SourceFile) else item.name


class Ingestor:
    """Runs the ingest loop into one data directory."""

    def __init__(
        self,
        data_dir: DataDir,
        *,
        options: IngestOptions | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        detection: BatchObserver | None = None,
    ) -> None:
        self.data_dir = data_dir.ensure()
        self.options = options or IngestOptions()
        self.lake = open_lake(data_dir)
        self.state = StateDB(data_dir.state_db)
        self.on_progress = on_progress
        self.detection = detection
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
        self.progress = Progress()
        self._progress_lock = threading.Lock()  # workers report files as they read them
        self.db = duckdb.connect()
        data_dir.tmp.mkdir(parents=True, exist_ok=True)
        self.db.execute("SET preserve_insertion_order = false")
        self.db.execute(f"SET memory_limit = '{self.options.memory_limit}'")
        self.db.execute("SET temp_directory = ?", [str(data_dir.tmp)])
        self.con = self._cursor()
        self.loader = BatchLoader(
            max_object_bytes=self.options.max_object_bytes,
            fast_object_bytes=self.options.fast_object_bytes,
            limits=self.options.limits,
        )
        from trailhound.intel.enrichment import IpEnricher  # the lists load on first use

        self.enricher = IpEnricher(data_dir)
        self.clock = StageClock()  # where the time goes, for the run's record
        self.committer = Committer(
            self.lake, self.state, self.run_id, self.clock, after_write=self._after_write
        )
        self._detect_lock = threading.Lock()  # the observer sees one batch at a time
        self._announced = False  # whether the source announces its files (progress)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own (its temp tables are its own) to the ingest database."""
        con = self.db.cursor()
        con.execute("SET TimeZone = 'UTC'")
        return con

    def close(self) -> None:
        """Release the DuckDB connections."""
        self.enricher.close()
        self.con.close()
        self.db.close()

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Entry points ------------------------------------------------------------------------
    def ingest_paths(self, paths: Iterable[Path]) -> IngestSummary:
        """Ingest every file under ``paths``; files ingested before (same size and mtime) skip."""
        return self.ingest(FileSource(paths))

    def ingest_files(self, files: Sequence[SourceFile]) -> IngestSummary:
        """Ingest the given files, whether the ledger holds them or not."""
        return self.ingest(FileSource.listed(files))

    def ingest_bytes(
        self,
        data: bytes,
        source: str,
        fmt: InputFormat = InputFormat.UNKNOWN,
        account_hint: str | None = None,
    ) -> IngestSummary:
        """Ingest one object held in memory (standard input, a pushed batch)."""
        return self.ingest(
            StdinSource(data=data, source=source, fmt=fmt, account_hint=account_hint)
        )

    def ingest(
        self,
        source: Source,
        *,
        status: SourceStatus = UNTRACKED,
        stop: threading.Event | None = None,
    ) -> IngestSummary:
        """Ingest everything ``source`` yields (until it ends, or ``stop`` is set)."""
        summary = IngestSummary(started_at=datetime.now(UTC))
        started = time.perf_counter()
        self._announced = False
        # The source's stop: set when the caller's is, or when the loop takes no more batches.
        halt = threading.Event()
        context = SourceContext(
            known_files=self.state.known_files,
            tmp_dir=self.data_dir.tmp,
            stop=halt,
            status=status,
            max_object_bytes=self.options.max_object_bytes,
            batch_bytes=self.options.batch_bytes,
            batch_files=self.options.batch_files,
            expect_files=self._expect,
            keep_digest=self._keep_digest,
        )
        try:
            self._pump(source, context, stop or threading.Event(), summary)
        finally:
            self._flush_enrichment()  # what was committed is enriched, even after an error
        if not source.continuous:
            self._finish_detection()
            self._compact(summary.events_written)
        summary.seconds = time.perf_counter() - started
        summary.stage_seconds = self.clock.take()
        self._record_run(summary)
        return summary

    def _keep_digest(self, path: Path) -> None:
        """Keep a copy of a local digest file for the ledger (``<data_dir>/digests/local``)."""
        try:
            keep_digest_file(path, self.data_dir.root / "digests" / "local")
        except DigestError as error:  # the ledger reports the digests it lacks as missing
            log.warning("digest file not kept: %s", error)

    def _expect(self, files: int) -> None:
        self._announced = True
        self.progress.files_total += files
        self._report()

    def _report(self) -> None:
        if self.on_progress:
            with self._progress_lock:
                self.on_progress(self.progress)

    def _reader(self, chunk: _Chunk) -> Callable[[int, int], None] | None:
        """The loader's ``on_read`` for a chunk: each file read moves the progress on."""
        callback = self.on_progress
        if callback is None:
            return None

        def on_read(files: int, records: int) -> None:
            with self._progress_lock:
                chunk.files_reported += files
                chunk.records_reported += records
                self.progress.files_done += files
                self.progress.records += records
                callback(self.progress)

        return on_read

    # The loop ----------------------------------------------------------------------------
    def _pump(
        self,
        source: Source,
        context: SourceContext,
        stop: threading.Event,
        summary: IngestSummary,
    ) -> None:
        """Pull batches (the next while the last ones are stored), acknowledge them in order."""
        workers = max(1, self.options.parallel_batches)
        cursors = [self._cursor() for _ in range(workers)]
        waiting: deque[_Pending] = deque()  # arrived, not acknowledged, in order
        running: deque[tuple[Future[IngestSummary], _Chunk]] = deque()
        batches = iter(source.batches(context))
        ahead: Future[RawBatch | None] | None = None
        failure: BaseException | None = None
        submitted = 0
        try:
            with (
                ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool,
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="source") as reader,
            ):
                try:
                    ahead = reader.submit(next, batches, None)
                    while ahead is not None:
                        # Settle what finishes while the source prepares the next batch.
                        while not ahead.done():
                            either: list[Future[Any]] = [ahead, *(f for f, _ in list(running)[:1])]
                            wait(either, timeout=_STOP_CHECK_SECONDS, return_when=FIRST_COMPLETED)
                            if stop.is_set():
                                context.stop.set()
                            while running and running[0][0].done():
                                self._settle(*running.popleft())
                            self._acknowledge(source, waiting, summary)
                        try:
                            raw = ahead.result()
                        except Exception as error:  # the source failed: finish what it gave
                            logger.warning("source %s failed: %s", source.name, error)
                            failure, ahead = error, None
                            break
                        if raw is None:
                            ahead = None
                            break
                        ahead = reader.submit(next, batches, None)
                        pending = _Pending(raw)
                        waiting.append(pending)
                        summary.files_skipped.update(raw.skipped)
                        parts = list(self._chunks(raw))
                        # Counted before any is submitted: settling this batch's first parts
                        # must not acknowledge it while later ones are still to be stored.
                        pending.chunks = len(parts)
                        for files, blobs in parts:
                            if len(running) == workers:
                                self._settle(*running.popleft())
                                self._acknowledge(source, waiting, summary)
                            con = cursors[submitted % workers]
                            chunk = _Chunk(pending, files, blobs, con)
                            submitted += 1
                            running.append((pool.submit(self._ingest_chunk, chunk), chunk))
                        self._acknowledge(source, waiting, summary)
                    while running:
                        self._settle(*running.popleft())
                        self._acknowledge(source, waiting, summary)
                finally:
                    # Before the threads are waited for: a source preparing a batch may stop.
                    context.stop.set()
        finally:
            if ahead is not None:  # stopped by an error: the batch prepared is not taken
                ahead.cancel()
                with contextlib.suppress(BaseException):  # the error raised is the one to see
                    ahead.result()
            close = getattr(batches, "close", None)
            if callable(close):
                close()  # a source gives back what it yielded and was never acknowledged
            for con in cursors:
                con.close()
        if failure is not None:
            raise failure

    def _chunks(self, raw: RawBatch) -> Iterator[tuple[list[SourceFile], list[Blob]]]:
        """The parts of a raw batch read together: files, then blobs, by size and count (the
        pushes a source coalesced are committed together: one write, one ledger transaction)."""
        if not self._announced:
            self.progress.files_total += len(raw.files) + len(raw.blobs)
        opts = self.options
        for files in in_batches(raw.files, opts.batch_bytes, opts.batch_files):
            yield files, []
        run: list[Blob] = []
        size = 0
        for blob in raw.blobs:
            if run and (size + len(blob.data) > opts.batch_bytes or len(run) >= opts.batch_files):
                yield [], run
                run, size = [], 0
            run.append(blob)
            size += len(blob.data)
        if run:
            yield [], run

    def _settle(self, future: Future[IngestSummary], chunk: _Chunk) -> None:
        """Take a chunk's outcome into its batch's (a failure narrowed down to its items)."""
        owner = chunk.owner
        try:
            result = future.result()
        except _AfterCommitError as error:
            raise error.error from None
        except Exception as error:
            result = self._salvage(chunk, chunk.items, error)
        owner.summary.merge(result)
        owner.chunks -= 1
        with self._progress_lock:  # what the reads did not report yet (never less)
            progress = self.progress
            progress.files_done += max(0, result.files - chunk.files_reported)
            progress.bytes_done += result.bytes_read
            progress.records += max(0, result.records - chunk.records_reported)
        self._report()

    def _salvage(self, chunk: _Chunk, items: list[Item], error: Exception) -> IngestSummary:
        """After a chunk failed for a reason not in its data: the items that fail, failed.

        An unexpected error (not of the environment) is narrowed down to the items raising it,
        in halves, so that one object a bug trips over costs itself, not its batch.
        """
        owner = chunk.owner
        if len(items) > 1 and not _is_environment_error(error):
            middle = len(items) // 2
            summary = IngestSummary()
            for half in (items[:middle], items[middle:]):
                files = [i for i in half if isinstance(i, SourceFile)]
                blobs = [i for i in half if isinstance(i, Blob)]
                part = _Chunk(owner, files, blobs, chunk.con)
                try:
                    summary.merge(self._ingest_chunk(part))
                except _AfterCommitError as failed:
                    raise failed.error from None
                except Exception as again:
                    summary.merge(self._salvage(part, half, again))
            return summary
        reason = f"ingest failed: {error}"[:500]
        for item in items:
            owner.failed[_name(item)] = reason
            logger.warning("%s not stored: %s", _name(item), reason)
        owner.error = owner.error or error
        return IngestSummary()

    def _acknowledge(self, source: Source, waiting: deque[_Pending], total: IngestSummary) -> None:
        """Tell the source about the batches done, oldest first; raise what a source can't retry."""
        while waiting and waiting[0].chunks == 0:
            pending = waiting.popleft()
            objects, pending.summary.objects = pending.summary.objects, {}
            total.merge(pending.summary)  # without the per-object counts: a server runs long
            pending.summary.objects = objects
            if source.continuous:
                self._flush_enrichment()
                self._finish_detection()
                self._compact(pending.summary.events_written)
            outcome = BatchOutcome(pending.summary, dict(pending.failed), pending.error)
            source.acknowledge(pending.raw, outcome)
            if pending.error is not None and not source.continuous:
                raise pending.error

    # One chunk ---------------------------------------------------------------------------
    def _ingest_chunk(self, chunk: _Chunk) -> IngestSummary:
        """Read, normalize and commit one chunk (in a worker thread); isolate a data failure."""
        try:
            committed = self._commit(chunk.con, chunk.files, chunk.blobs, self._reader(chunk))
        except Exception as error:
            if not _is_data_error(error):
                raise
            logger.info(
                "a batch of %d objects failed on its data (%s); retried in halves",
                len(chunk.items),
                error,
            )
            drop_batch(chunk.con)
            return self._isolate(chunk.con, chunk.items)
        self._after_commit(chunk.con, committed)
        return committed.summary

    def _commit(
        self,
        con: duckdb.DuckDBPyConnection,
        files: list[SourceFile],
        blobs: list[Blob],
        on_read: Callable[[int, int], None] | None = None,
    ) -> Committed:
        """Load, normalize and commit files and blobs; blobs count as read, unrecorded."""
        with self.clock.stage("load"):
            quarantine = self.loader.load(con, files, blobs, on_read)
        with self.clock.stage("checks"):
            self.loader.finish(con)
        _log_quarantine(quarantine)
        before = _per_source(con) if blobs else {}
        committed = self.committer.commit(con, quarantine, files)
        committed.summary.files += len(blobs)
        committed.summary.bytes_read += sum(len(b.data) for b in blobs)
        if blobs:
            committed.summary.objects = _blob_counts(blobs, quarantine, before, _per_source(con))
        return committed

    def _isolate(self, con: duckdb.DuckDBPyConnection, items: list[Item]) -> IngestSummary:
        """Commit ``items`` in halves until the one that fails is alone, then its records."""
        if len(items) == 1:
            item = items[0]
            if isinstance(item, SourceFile):
                records, quarantine = self.loader.decode_file(item)
                return self._isolate_records(con, item, records, quarantine, item.account_hint)
            records, quarantine = self.loader.decode_blob(item)
            return self._isolate_records(
                con, None, records, quarantine, item.account_hint, split=True, blob=item
            )
        summary = IngestSummary()
        middle = len(items) // 2
        for half in (items[:middle], items[middle:]):
            files = [i for i in half if isinstance(i, SourceFile)]
            blobs = [i for i in half if isinstance(i, Blob)]
            try:
                part = self._commit(con, files, blobs)
            except Exception as error:
                if not _is_data_error(error):
                    raise
                drop_batch(con)
                summary.merge(self._isolate(con, half))
            else:
                self._after_commit(con, part)
                summary.merge(part.summary)
        return summary

    def _isolate_records(
        self,
        con: duckdb.DuckDBPyConnection,
        source: SourceFile | None,
        records: list[RawRecord],
        quarantine: list[QuarantineEntry],
        account_hint: str | None,
        *,
        split: bool = False,
        blob: Blob | None = None,
    ) -> IngestSummary:
        """Commit one object's records in halves; a record that fails alone is quarantined.

        ``split`` when the caller already saw all of them fail together. The object is recorded
        in the ledger once, with its unreadable parts, at the end.
        """
        summary = IngestSummary()
        where = source.uri if source is not None else blob.name if blob is not None else "input"
        middle = len(records) // 2
        pending = [records[middle:], records[:middle]] if split else [records]
        failures = 0
        while pending:
            part = pending.pop()
            if not part:
                continue
            try:
                self.loader.start(con)
                self.loader.load_records(con, part, account_hint)
                self.loader.finish(con)
                committed = self.committer.commit(con, [], [], owner=source)
            except Exception as error:
                if not _is_data_error(error):
                    raise
                drop_batch(con)
                failures += 1
                if len(part) > 1 and failures <= self.options.isolation_failures:
                    middle = len(part) // 2
                    pending += [part[middle:], part[:middle]]
                    continue
                # Alone, or too many failures to keep splitting: each record is quarantined.
                if failures > self.options.isolation_failures:
                    part, pending = [*part, *(r for p in pending for r in p)], []
                reason = f"could not be stored: {type(error).__name__}: {error}"[:500]
                logger.warning("%d record(s) of %s quarantined: %s", len(part), where, reason)
                for record in part:
                    excerpt = record.json[:EXCERPT_CHARS].decode("utf-8", errors="replace")
                    quarantine.append(QuarantineEntry(record.source, record.index, reason, excerpt))
                summary.records += len(part)
                continue
            self._after_commit(con, committed)
            summary.merge(committed.summary)
        files = [(source, len(records))] if source is not None else []
        recorded = self.committer.record(files, quarantine)
        summary.merge(recorded)
        if blob is not None:  # an object in memory counts as read, though no ledger holds it
            summary.files += 1
            summary.bytes_read += len(blob.data)
            summary.objects = {blob.name: replace(summary, objects={})}
        return summary

    def _after_write(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        """Inside the commit, after the lake write: the batch's new addresses to the intel table.

        Without detection no one reads a batch's ``src_*`` fields before the run ends, so the
        addresses are only noted here and enriched all at once by ``_flush_enrichment``: the
        lists load once, and the commit lock is not held for the lookups.
        """
        if not self.options.enrich:
            self.enricher.files.mark_stale()
        elif self.detection is None:
            self.enricher.defer_batch(con, relation)
        else:
            self.enricher.add_batch_safely(con, relation)

    def _flush_enrichment(self) -> None:
        """Enrich the addresses of the batches committed since the last flush (if deferred).

        A failure only logs: the mark the deferral left makes the next writer rebuild.
        """
        if not self.enricher.deferring:
            return
        try:
            with self.clock.stage("enrich"), self.lake.writing():
                self.enricher.flush_deferred()
        except (TrailhoundError, OSError) as error:
            logger.warning("intel enrichment of the run's addresses not done: %s", error)

    def _after_commit(self, con: duckdb.DuckDBPyConnection, committed: Committed) -> None:
        """Show the committed batch to detection (one batch at a time), then drop its tables.

        Outside the commit lock, so that detection on one batch overlaps the next one's write.
        A failure here is not the batch's: it is stored, and the error is raised as it is.
        """
        try:
            self._detect(con, committed)
        except Exception as error:
            raise _AfterCommitError(error) from error
        finally:
            self.enricher.drop_view(con, _ENRICHED)
            drop_batch(con)

    def _detect(self, con: duckdb.DuckDBPyConnection, committed: Committed) -> None:
        """Raise the batch's eventID conflicts as alerts; show its new events to detection."""
        if committed.conflicts:
            with self._detect_lock:  # one alert per conflict, however many threads commit
                _raise_conflict_alerts(self.data_dir, committed.conflicts)
        if committed.summary.events_written and self.detection is not None:
            row = con.execute(
                f"SELECT min(event_time), max(event_time), list(DISTINCT account) FROM {NEW_EVENTS}"
            ).fetchone()
            low, high, accounts = row if row else (None, None, [])
            # Detection sees the batch with its src_* fields, as a query of the lake would.
            with self.clock.stage("enrich"):
                relation = self.enricher.enriched_view(con, NEW_EVENTS, _ENRICHED)
            batch = BatchContext(con, relation, low, high, tuple(sorted(accounts or ())))
            with self._detect_lock, self.clock.stage("detect"):
                self.detection.on_batch(batch)

    # Once per call -----------------------------------------------------------------------
    def _finish_detection(self) -> None:
        if self.detection is not None:
            with self._detect_lock, self.clock.stage("detect"):
                self.detection.finish()

    def _compact(self, written: int) -> None:
        if self.options.compact and written:
            with self.clock.stage("compact"):
                self.lake.compact(self.con)

    def _record_run(self, summary: IngestSummary) -> None:
        self.state.record_run(
            self.run_id,
            {
                "started_at": summary.started_at,
                "finished_at": datetime.now(UTC),
                "files": summary.files,
                "records": summary.records,
                "events_written": summary.events_written,
                "duplicates": summary.duplicates,
                "quarantined": summary.quarantined,
                "skipped": orjson.dumps(dict(summary.files_skipped)).decode(),
                "stage_seconds": orjson.dumps(summary.stage_seconds).decode(),
            },
        )


class _AfterCommitError(Exception):
    """Detection failed on a batch already stored: not a reason to read the batch again."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _per_source(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    """Per ``source_object`` of the batch: its rows, and those not quarantined."""
    rows = con.execute(
        "SELECT source_object, count(*), count(*) FILTER (WHERE quarantine_reason IS NULL) "
        f"FROM {BATCH_TABLE} GROUP BY ALL"
    ).fetchall()
    return {str(source): (int(n), int(good)) for source, n, good in rows}


def _blob_counts(
    blobs: Sequence[Blob],
    quarantine: Sequence[QuarantineEntry],
    before: dict[str, tuple[int, int]],
    after: dict[str, tuple[int, int]],
) -> dict[str, IngestSummary]:
    """Each blob's counts in a committed batch, from its rows before and after the commit.

    Before: read and valid; after: duplicates deleted, conflicts quarantined, the rest written.
    """
    counts: dict[str, IngestSummary] = {}
    for blob in blobs:
        mine = [s for s in before if belongs_to(s, blob.name)]
        records = sum(before[s][0] for s in mine)
        good = sum(before[s][1] for s in mine)
        written = sum(after.get(s, (0, 0))[1] for s in mine)
        left = sum(after.get(s, (0, 0))[0] for s in mine)
        conflicts = (left - written) - (records - good)  # newly quarantined: conflicts
        damaged = sum(1 for q in quarantine if belongs_to(q.source, blob.name))
        counts[blob.name] = IngestSummary(
            files=1,
            records=records,
            events_written=written,
            duplicates=good - written - conflicts,
            quarantined=damaged + records - good + conflicts,
            bytes_read=len(blob.data),
        )
    return counts


def _log_quarantine(entries: Sequence[QuarantineEntry]) -> None:
    """Each record or file set aside (at debug), and how many (at info)."""
    if not entries:
        return
    logger.info("%d record(s) or file(s) quarantined", len(entries))
    for entry in entries:
        logger.debug("quarantined %s at %s: %s", entry.source, entry.position, entry.reason)


def _raise_conflict_alerts(data_dir: DataDir, matches: Sequence[Match]) -> None:
    """Alerts for eventID conflicts: ingest's own finding, raised whether detection runs or not."""
    from trailhound.incidents.alerts import AlertStore  # heavy: only when alerting

    AlertStore.for_data_dir(data_dir).record(matches, CONFLICT_INFOS)


def _is_environment_error(error: BaseException) -> bool:
    """Whether a failure is of the machine (disk, memory, the state database), not the input."""
    if isinstance(error, PartitionError):
        return False
    if isinstance(error, _ENVIRONMENT_ERRORS):
        return True
    return isinstance(error, OSError) and error.errno not in _DATA_OS_ERRORS


def _is_data_error(error: BaseException) -> bool:
    """Whether a failed batch should be split to find the input that caused it."""
    if isinstance(error, PartitionError):
        return True
    if isinstance(error, _ENVIRONMENT_ERRORS):
        return False
    if isinstance(error, OSError):
        return error.errno in _DATA_OS_ERRORS
    return isinstance(error, (duckdb.Error, ValueError, TypeError, ArithmeticError, LookupError))
