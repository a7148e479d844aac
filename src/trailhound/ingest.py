"""Ingest: files or bytes → raw records → normalized events in the lake, in batches.

Each batch goes through four steps inside one in-memory DuckDB connection:

1. load raw records into ``batch_input`` — by DuckDB's JSON reader straight from the files
   (the fast path, for CloudTrail's own ``{"Records": [...]}`` files), or through
   ``sources.decode`` in Python for every other shape and for any file the fast path rejects;
2. normalize them (``normalize.records``) into ``batch_events``, with a quarantine reason per row
   (range checks included), and finish the checks DuckDB cannot settle alone
   (``normalize.batch_checks``);
3. under the data directory's write lock (one commit at a time across processes), drop
   duplicates (same ``eventID`` in the batch or already in the lake), quarantine conflicts (same
   ``eventID``, other content: ``dedupe``) and write the rest to the lake atomically;
4. only then add the batch's new source addresses to the intel enrichment table
   (``intel.enrichment``), record the files in the ingest ledger and the quarantined input in the
   state DB, and run the batch hooks (detection), so that a crash at any point means re-reading,
   never loss.

A batch that still fails for a reason in its data (not a full disk or a locked state database)
is split: its files are retried in halves down to the one that fails, and that file record by
record in halves down to the record, which is quarantined with the error. One bad record never
blocks the rest of its batch, on this run or the next.
"""

from __future__ import annotations

import errno
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from trailhound.data_dir import DataDir
from trailhound.dedupe import drop_duplicates, raise_conflict_alerts
from trailhound.errors import TrailhoundError
from trailhound.model import (
    IngestSummary,
    InputFormat,
    QuarantineEntry,
    RawRecord,
    SkipReason,
    SourceFile,
)
from trailhound.normalize.batch_checks import check_structure, registered, repair_key_cases
from trailhound.normalize.limits import DEFAULT_LIMITS, RecordLimits
from trailhound.normalize.records import normalize_sql
from trailhound.sources.decode import DEFAULT_MAX_BYTES, decode_bytes
from trailhound.sources.files import discover, read_file
from trailhound.store.lake import ParquetLake, PartitionError
from trailhound.store.state import EXCERPT_CHARS, StateDB

BatchHook = Callable[[duckdb.DuckDBPyConnection, str], None]
"""Called after a batch is in the lake with the connection and the name of its events table.

A hook object may also have a ``finish()`` method, called once at the end of each ingest call
(work that is cheaper once per call than once per batch, such as correlations).
"""

FAST_FORMATS = frozenset({InputFormat.CLOUDTRAIL_FILE, InputFormat.INSIGHT_FILE})
_INPUT_SCHEMA = pa.schema(
    [
        ("source_object", pa.string()),
        ("source_index", pa.int64()),
        ("account_hint", pa.string()),
        ("raw", pa.string()),
        ("doc", pa.string()),
    ]
)
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
    """Running totals handed to the progress callback."""

    files_done: int = 0
    files_total: int = 0
    records: int = 0
    bytes_done: int = 0


@dataclass(slots=True)
class _Batch:
    files: list[SourceFile] = field(default_factory=list)
    size: int = 0


class Ingestor:
    """Runs ingest batches into one data directory."""

    def __init__(
        self,
        data_dir: DataDir,
        *,
        options: IngestOptions | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        hooks: Sequence[BatchHook] = (),
    ) -> None:
        self.data_dir = data_dir.ensure()
        self.options = options or IngestOptions()
        self.lake = ParquetLake(data_dir)
        self.state = StateDB(data_dir.state_db)
        self.on_progress = on_progress
        self.hooks = list(hooks)
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
        self.progress = Progress()
        self.db = duckdb.connect()
        tmp = data_dir.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        self.db.execute("SET preserve_insertion_order = false")
        self.db.execute(f"SET memory_limit = '{self.options.memory_limit}'")
        self.db.execute("SET temp_directory = ?", [str(tmp)])
        self.con = self._cursor()
        # Batches are read and normalized in parallel; committing them is one at a time.
        self._commit_lock = threading.Lock()
        self._hook_lock = threading.Lock()
        limits = self.options.limits
        self._normalize_python = normalize_sql("python_input", limits)
        self._normalize_files = normalize_sql(_FILES_INPUT, limits)
        self._empty_events = normalize_sql(_EMPTY_INPUT, limits) + " LIMIT 0"
        from trailhound.intel.enrichment import IpEnricher  # the lists load on first use

        self.enricher = IpEnricher(data_dir)

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
        summary = IngestSummary(started_at=datetime.now(UTC))
        started = time.perf_counter()
        files: list[SourceFile] = []
        for item in discover(paths):
            if isinstance(item, SourceFile):
                files.append(item)
            else:
                summary.files_skipped[item[1].value] += 1
        known = self.state.known_files([f.uri for f in files])
        fresh = [f for f in files if known.get(f.uri) != (f.size, f.mtime)]
        summary.files_skipped[SkipReason.ALREADY_INGESTED.value] += len(files) - len(fresh)
        summary.merge(self.ingest_files(fresh))
        summary.seconds = time.perf_counter() - started
        self._finish(summary)
        return summary

    def ingest_files(self, files: Sequence[SourceFile]) -> IngestSummary:
        """Ingest the given files in batches (no ledger check; see ``ingest_paths``)."""
        summary = IngestSummary()
        self.progress.files_total += len(files)
        workers = max(1, self.options.parallel_batches)
        cursors = [self._cursor() for _ in range(workers)]
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pending: deque[Future[IngestSummary]] = deque()
                for n, batch in enumerate(self._batches(files)):
                    if len(pending) == workers:
                        summary.merge(pending.popleft().result())
                    con = cursors[n % workers]
                    pending.append(pool.submit(self._ingest_batch, con, batch.files))
                while pending:
                    summary.merge(pending.popleft().result())
        finally:
            for con in cursors:
                con.close()
        self._finish_hooks()
        if self.options.compact and summary.events_written:
            self.lake.compact(self.con)
        return summary

    def ingest_bytes(
        self,
        data: bytes,
        source: str,
        fmt: InputFormat = InputFormat.UNKNOWN,
        account_hint: str | None = None,
    ) -> IngestSummary:
        """Ingest one object held in memory (standard input, a pushed batch)."""
        started = time.perf_counter()
        summary = IngestSummary(started_at=datetime.now(UTC), files=1, bytes_read=len(data))
        decoded = decode_bytes(
            data,
            source,
            fmt,
            max_bytes=self.options.max_object_bytes,
            limits=self.options.limits,
        )
        records, quarantine = self._split(decoded)
        con = self.con
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE batch_events AS {self._empty_events}")
            self._load_records(con, records, account_hint)
            with self._commit_lock, self.lake.writing():
                committed = self._commit(con, quarantine, files=[])
        except Exception as error:
            if not _is_data_error(error):
                raise
            _drop_batch(con)
            committed = self._isolate_records(
                con, None, records, quarantine, account_hint, split=True
            )
        else:
            self._after_commit(con, committed.events_written)
        self._finish_hooks()
        summary.merge(committed)
        summary.seconds = time.perf_counter() - started
        self._finish(summary)
        return summary

    # Batching ----------------------------------------------------------------------------
    def _batches(self, files: Sequence[SourceFile]) -> Iterator[_Batch]:
        batch = _Batch()
        for source in files:
            if batch.files and (
                batch.size + source.size > self.options.batch_bytes
                or len(batch.files) >= self.options.batch_files
            ):
                yield batch
                batch = _Batch()
            batch.files.append(source)
            batch.size += source.size
        if batch.files:
            yield batch

    def _ingest_batch(
        self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]
    ) -> IngestSummary:
        """Read and normalize one batch on ``con`` (in parallel with others), then commit it."""
        try:
            summary = self._load_and_commit(con, files)
        except Exception as error:
            if not _is_data_error(error):
                raise
            _drop_batch(con)
            return self._isolate_files(con, files)
        self._after_commit(con, summary.events_written)
        return summary

    def _load_and_commit(
        self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]
    ) -> IngestSummary:
        """Load ``files`` into ``batch_events`` and commit them (the hooks are the caller's)."""
        con.execute(f"CREATE OR REPLACE TEMP TABLE batch_events AS {self._empty_events}")
        limit = self.options.max_object_bytes
        quarantine: list[QuarantineEntry] = []
        # DuckDB follows symbolic links: a file replaced by one since discovery goes to the
        # careful reader, which opens nothing through a link.
        fast = [
            f
            for f in files
            if f.format in FAST_FORMATS and f.size <= limit and not f.path.is_symlink()
        ]
        careful = [f for f in files if f not in fast]
        if fast:
            careful += self._load_fast(con, fast)
            careful += self._unload_documents(con, fast)
            quarantine += self._overflowing(con)
        for source in careful:
            records, damage = self._decode_file(source)
            quarantine += damage
            self._load_records(con, records, source.account_hint)
        with self._commit_lock, self.lake.writing():
            summary = self._commit(con, quarantine, files)
            self._count_files(summary, files)
        return summary

    def _count_files(self, summary: IngestSummary, files: Sequence[SourceFile]) -> None:
        """Add committed files to the summary and the progress; the caller holds the lock."""
        summary.files = len(files)
        summary.bytes_read = sum(f.size for f in files)
        self.progress.files_done += len(files)
        self.progress.bytes_done += summary.bytes_read
        if self.on_progress:
            self.on_progress(self.progress)

    def _decode_file(self, source: SourceFile) -> tuple[list[RawRecord], list[QuarantineEntry]]:
        """The records of one file read in Python, and what of it is quarantined."""
        limit = self.options.max_object_bytes
        if source.size > limit:  # never read it into memory
            message = f"object larger than the size limit of {limit} bytes"
            return [], [QuarantineEntry(source.uri, None, message)]
        try:
            data = read_file(source.path, limit)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            # Replaced by a symbolic link since it was found: not followed.
            return [], [QuarantineEntry(source.uri, None, "is a symbolic link: not followed")]
        decoded = decode_bytes(
            data, source.uri, source.format, max_bytes=limit, limits=self.options.limits
        )
        return self._split(decoded)

    # Isolating a failure -----------------------------------------------------------------
    def _isolate_files(
        self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]
    ) -> IngestSummary:
        """Commit ``files`` in halves until the file that fails is alone, then its records."""
        if len(files) == 1:
            records, quarantine = self._decode_file(files[0])
            return self._isolate_records(con, files[0], records, quarantine, files[0].account_hint)
        summary = IngestSummary()
        middle = len(files) // 2
        for half in (files[:middle], files[middle:]):
            try:
                part = self._load_and_commit(con, half)
            except Exception as error:
                if not _is_data_error(error):
                    raise
                _drop_batch(con)
                part = self._isolate_files(con, half)
            else:
                self._after_commit(con, part.events_written)
            summary.merge(part)
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
    ) -> IngestSummary:
        """Commit one object's records in halves; a record that fails alone is quarantined.

        ``split`` when the caller already saw all of them fail together. The object is recorded
        in the ledger once, with its unreadable parts, at the end.
        """
        summary = IngestSummary()
        middle = len(records) // 2
        pending = [records[middle:], records[:middle]] if split else [records]
        failures = 0
        while pending:
            part = pending.pop()
            if not part:
                continue
            try:
                con.execute(f"CREATE OR REPLACE TEMP TABLE batch_events AS {self._empty_events}")
                self._load_records(con, part, account_hint)
                with self._commit_lock, self.lake.writing():
                    committed = self._commit(con, [], files=[])
            except Exception as error:
                if not _is_data_error(error):
                    raise
                _drop_batch(con)
                failures += 1
                if len(part) > 1 and failures <= self.options.isolation_failures:
                    middle = len(part) // 2
                    pending += [part[middle:], part[:middle]]
                    continue
                # Alone, or too many failures to keep splitting: each record is quarantined.
                if failures > self.options.isolation_failures:
                    part, pending = [*part, *(r for p in pending for r in p)], []
                reason = f"could not be stored: {type(error).__name__}: {error}"[:500]
                for record in part:
                    excerpt = record.json[:EXCERPT_CHARS].decode("utf-8", errors="replace")
                    quarantine.append(QuarantineEntry(record.source, record.index, reason, excerpt))
                summary.records += len(part)
                continue
            self._after_commit(con, committed.events_written)
            summary.merge(committed)
        files = [source] if source is not None else []
        with self._commit_lock, self.lake.writing():
            self.state.record_batch(
                self.run_id,
                [(f.uri, f.size, f.mtime, len(records)) for f in files],
                quarantine,
            )
            summary.quarantined += len(quarantine)
            self._count_files(summary, files)
        return summary

    # Loading -----------------------------------------------------------------------------
    def _load_fast(
        self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]
    ) -> list[SourceFile]:
        """Read CloudTrail log files with DuckDB; returns the files it could not read."""
        try:
            self._read_json(con, files)
        except duckdb.Error:
            if len(files) == 1:
                return files
            middle = len(files) // 2
            return self._load_fast(con, files[:middle]) + self._load_fast(con, files[middle:])
        return []

    def _read_json(self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]) -> None:
        """Normalize the records of ``files`` into ``batch_events`` in one DuckDB statement.

        A file without a ``Records`` array yields one NULL record, which the normalizer
        quarantines as such. Either all files of the call land or, on error, none do.
        """
        table = pa.table(
            {
                "path": [str(f.path) for f in files],
                "uri": [f.uri for f in files],
                "account_hint": [f.account_hint for f in files],
            }
        )
        with registered(con, "batch_files", table):
            con.execute(
                f"INSERT INTO batch_events {self._normalize_files}",
                [
                    [str(f.path) for f in files],
                    self.options.fast_object_bytes,
                    self.options.limits.max_records + 1,
                ],
            )

    def _unload_documents(
        self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]
    ) -> list[SourceFile]:
        """Take back the files DuckDB read as several documents, for the careful reader.

        Concatenated gzip members are documents of their own, each numbered from 0: their
        records would share positions. The careful reader names them ``uri:n``.
        """
        several = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT source_object FROM batch_events "
                "GROUP BY source_object, source_index HAVING count(*) > 1"
            ).fetchall()
        }
        if not several:
            return []
        con.execute("DELETE FROM batch_events WHERE source_object IN ?", [list(several)])
        return [f for f in files if f.uri in several]

    def _overflowing(self, con: duckdb.DuckDBPyConnection) -> list[QuarantineEntry]:
        """Entries for the documents DuckDB read past the per-object limit, whose rest is dropped.

        DuckDB reads one record more than the limit of each document: that one marks it.
        """
        limit = self.options.limits.max_records
        marked = con.execute(
            "SELECT source_object FROM batch_events WHERE source_index >= ? GROUP BY ALL",
            [limit],
        ).fetchall()
        if not marked:
            return []
        con.execute("DELETE FROM batch_events WHERE source_index >= ?", [limit])
        reason = (
            f"more than {limit} records in one object: records from index {limit} on were not read"
        )
        return [QuarantineEntry(str(source), limit, reason) for (source,) in marked]

    def _split(
        self, decoded: Iterable[RawRecord | QuarantineEntry]
    ) -> tuple[list[RawRecord], list[QuarantineEntry]]:
        records: list[RawRecord] = []
        quarantine: list[QuarantineEntry] = []
        for item in decoded:
            if isinstance(item, RawRecord):
                records.append(item)
            else:
                quarantine.append(item)
        return records, quarantine

    def _load_records(
        self,
        con: duckdb.DuckDBPyConnection,
        records: Sequence[RawRecord],
        account_hint: str | None,
        docs: Sequence[str] | None = None,
    ) -> None:
        """Normalize records read in Python into ``batch_events``."""
        if not records:
            return
        raws = [r.json.decode("utf-8", errors="replace") for r in records]
        table = pa.Table.from_pydict(
            {
                "source_object": [r.source for r in records],
                "source_index": [r.index for r in records],
                "account_hint": [account_hint] * len(records),
                "raw": raws,
                "doc": list(docs) if docs is not None else raws,
            },
            schema=_INPUT_SCHEMA,
        )
        with registered(con, "python_input", table):
            con.execute(f"INSERT INTO batch_events {self._normalize_python}")

    # Committing --------------------------------------------------------------------------
    def _commit(
        self,
        con: duckdb.DuckDBPyConnection,
        quarantine: list[QuarantineEntry],
        files: Sequence[SourceFile],
    ) -> IngestSummary:
        """Check, deduplicate, write to the lake, then record.

        The caller holds the commit lock and the data directory's write lock, so that no other
        process writes between this batch's dedupe and its write.
        """
        summary = IngestSummary()
        repair_key_cases(
            con, lambda records, hint, docs: self._load_records(con, records, hint, docs)
        )
        check_structure(con, self.options.limits)
        summary.records = _count(con, "SELECT count(*) FROM batch_events")
        con.execute(
            "CREATE OR REPLACE TEMP VIEW new_events AS SELECT * EXCLUDE (quarantine_reason, "
            "needs_key_repair, needs_structure_check) FROM batch_events "
            "WHERE quarantine_reason IS NULL"
        )
        good = _count(con, "SELECT count(*) FROM new_events")
        conflicts = drop_duplicates(con, self.lake)
        written = _count(con, "SELECT count(*) FROM new_events")
        if written:
            self.lake.write(con, "new_events")
            if self.options.enrich:
                self.enricher.add_batch_safely(con, "new_events")
            else:
                self.enricher.files.mark_stale()
        per_file = dict(
            con.execute("SELECT source_object, count(*) FROM batch_events GROUP BY ALL").fetchall()
        )
        # Quarantined rows go from DuckDB to the state database in Arrow batches, never as
        # Python objects: a batch of hostile records costs bounded memory.
        rejected = con.sql(
            "SELECT source_object AS source, source_index AS position, "
            f"quarantine_reason AS reason, left(raw, {EXCERPT_CHARS}) AS excerpt "
            "FROM batch_events WHERE quarantine_reason IS NOT NULL"
        ).to_arrow_reader(50_000)
        self.state.record_batch(
            self.run_id,
            [(f.uri, f.size, f.mtime, int(per_file.get(f.uri, 0))) for f in files],
            quarantine,
            rejected,
        )
        if conflicts:
            raise_conflict_alerts(self.state, con)
        self.progress.records += summary.records
        summary.events_written = written
        summary.duplicates = good - written - conflicts
        summary.quarantined = len(quarantine) + summary.records - good + conflicts
        return summary

    def _finish_hooks(self) -> None:
        with self._hook_lock:
            for hook in self.hooks:
                finish = getattr(hook, "finish", None)
                if callable(finish):
                    finish()

    def _after_commit(self, con: duckdb.DuckDBPyConnection, written: int) -> None:
        """Run the hooks on a committed batch (one batch at a time), then drop its tables.

        Outside the commit lock, so that detection on one batch overlaps the next one's write.
        """
        try:
            if written and self.hooks:
                # The hooks see the batch with its src_* fields, as a query of the lake would.
                batch = self.enricher.enriched_view(con, "new_events", "new_events_enriched")
                with self._hook_lock:
                    for hook in self.hooks:
                        hook(con, batch)
        finally:
            self.enricher.drop_view(con, "new_events_enriched")
            con.execute("DROP VIEW new_events")
            con.execute("DROP TABLE batch_events")

    def _finish(self, summary: IngestSummary) -> None:
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
            },
        )


_EMPTY_INPUT = (
    "(SELECT NULL::VARCHAR AS source_object, NULL::BIGINT AS source_index, "
    "NULL::VARCHAR AS account_hint, NULL::VARCHAR AS raw, NULL::VARCHAR AS doc WHERE false)"
)
# CloudTrail log files read by DuckDB; parameters: the file paths, the largest object size, the
# most records read per document (one past the limit: ``_overflowing`` reports and drops it).
_FILES_INPUT = (
    "(SELECT f.uri AS source_object, CAST(generate_subscripts(records, 1) - 1 AS BIGINT) "
    "AS source_index, f.account_hint, CAST(unnest(records) AS VARCHAR) AS raw, raw AS doc "
    "FROM (SELECT filename, list_slice(coalesce(Records, [NULL::JSON]), 1, $3) AS records "
    "FROM read_json($1, columns = {'Records': 'JSON[]'}, records = true, "
    "format = 'unstructured', filename = true, maximum_object_size = $2)) AS j "
    "JOIN batch_files AS f ON f.path = j.filename)"
)


def _is_data_error(error: BaseException) -> bool:
    """Whether a failed batch should be split to find the input that caused it."""
    if isinstance(error, PartitionError):
        return True
    if isinstance(error, _ENVIRONMENT_ERRORS):
        return False
    if isinstance(error, OSError):
        return error.errno in _DATA_OS_ERRORS
    return isinstance(error, (duckdb.Error, ValueError, TypeError, ArithmeticError, LookupError))


def _drop_batch(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what a failed batch left on its connection."""
    con.execute("DROP VIEW IF EXISTS new_events")
    con.execute("DROP TABLE IF EXISTS batch_events")
    con.execute("DROP TABLE IF EXISTS collisions")
    con.execute("DROP TABLE IF EXISTS batch_snapshot")


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
