"""Ingest: files or bytes → raw records → normalized events in the lake, in batches.

Each batch goes through four steps inside one in-memory DuckDB connection:

1. load raw records into ``batch_input`` — by DuckDB's JSON reader straight from the files
   (the fast path, for CloudTrail's own ``{"Records": [...]}`` files), or through
   ``sources.decode`` in Python for every other shape and for any file the fast path rejects;
2. normalize them (``normalize.records``) into ``batch_events``, with a quarantine reason per row;
3. under the data directory's write lock (one commit at a time across processes), drop
   duplicates (same ``eventID`` in the batch or already in the lake) and write the rest to the
   lake atomically;
4. only then record the files in the ingest ledger and the quarantined input in the state DB,
   and run the batch hooks (detection), so that a crash at any point means re-reading, never loss.
"""

from __future__ import annotations

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
from trailhound.model import (
    IngestSummary,
    InputFormat,
    QuarantineEntry,
    RawRecord,
    SkipReason,
    SourceFile,
)
from trailhound.normalize.key_case import repair_key_case
from trailhound.normalize.records import normalize_sql
from trailhound.sources.decode import DEFAULT_MAX_BYTES, decode_bytes
from trailhound.sources.files import discover
from trailhound.store.lake import ParquetLake
from trailhound.store.state import StateDB

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
_REPAIRABLE = ("missing eventTime", "missing eventName")


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
        self._normalize_python = normalize_sql("python_input")
        self._normalize_files = normalize_sql(_FILES_INPUT)
        self._empty_events = normalize_sql(_EMPTY_INPUT) + " LIMIT 0"

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own (its temp tables are its own) to the ingest database."""
        con = self.db.cursor()
        con.execute("SET TimeZone = 'UTC'")
        return con

    def close(self) -> None:
        """Release the DuckDB connections."""
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
        decoded = decode_bytes(data, source, fmt, max_bytes=self.options.max_object_bytes)
        records, quarantine = self._split(decoded)
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE batch_events AS {self._empty_events}")
        self._load_records(con, records, account_hint)
        with self._commit_lock, self.lake.writing():
            committed = self._commit(con, quarantine, files=[])
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
        con.execute(f"CREATE OR REPLACE TEMP TABLE batch_events AS {self._empty_events}")
        limit = self.options.max_object_bytes
        quarantine: list[QuarantineEntry] = []
        fast = [f for f in files if f.format in FAST_FORMATS and f.size <= limit]
        careful = [f for f in files if f not in fast]
        if fast:
            careful += self._load_fast(con, fast)
        for source in careful:
            if source.size > limit:  # never read it into memory
                quarantine.append(
                    QuarantineEntry(
                        source.uri, None, f"object larger than the size limit of {limit} bytes"
                    )
                )
                continue
            decoded = decode_bytes(
                source.path.read_bytes(), source.uri, source.format, max_bytes=limit
            )
            records, damage = self._split(decoded)
            quarantine += damage
            self._load_records(con, records, source.account_hint)
        with self._commit_lock, self.lake.writing():
            summary = self._commit(con, quarantine, files)
            summary.files = len(files)
            summary.bytes_read = sum(f.size for f in files)
            self.progress.files_done += len(files)
            self.progress.bytes_done += summary.bytes_read
            if self.on_progress:
                self.on_progress(self.progress)
        self._after_commit(con, summary.events_written)
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
        con.register("batch_files", table)
        try:
            con.execute(
                f"INSERT INTO batch_events {self._normalize_files}",
                [[str(f.path) for f in files], self.options.fast_object_bytes],
            )
        finally:
            con.unregister("batch_files")

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
        con.register("python_input", table)
        try:
            con.execute(f"INSERT INTO batch_events {self._normalize_python}")
        finally:
            con.unregister("python_input")

    # Committing --------------------------------------------------------------------------
    def _commit(
        self,
        con: duckdb.DuckDBPyConnection,
        quarantine: list[QuarantineEntry],
        files: Sequence[SourceFile],
    ) -> IngestSummary:
        """Deduplicate, write to the lake, then record.

        The caller holds the commit lock and the data directory's write lock, so that no other
        process writes between this batch's dedupe and its write.
        """
        summary = IngestSummary()
        self._repair_key_case(con)
        summary.records = _count(con, "SELECT count(*) FROM batch_events")
        self.progress.records += summary.records
        for source, index, reason, raw in con.execute(
            "SELECT source_object, source_index, quarantine_reason, left(raw, 240) "
            "FROM batch_events WHERE quarantine_reason IS NOT NULL"
        ).fetchall():
            quarantine.append(QuarantineEntry(source, index, reason, raw or ""))
        con.execute(
            "CREATE OR REPLACE TEMP VIEW new_events AS SELECT * EXCLUDE (quarantine_reason, "
            "needs_key_repair) FROM batch_events WHERE quarantine_reason IS NULL"
        )
        good = _count(con, "SELECT count(*) FROM new_events")
        self._drop_duplicates(con)
        written = _count(con, "SELECT count(*) FROM new_events")
        if written:
            self.lake.write(con, "new_events")
        per_file = dict(
            con.execute("SELECT source_object, count(*) FROM batch_events GROUP BY ALL").fetchall()
        )
        self.state.record_batch(
            self.run_id,
            [(f.uri, f.size, f.mtime, int(per_file.get(f.uri, 0))) for f in files],
            quarantine,
        )
        summary.events_written = written
        summary.duplicates = good - written
        summary.quarantined = len(quarantine)
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
            if written:
                with self._hook_lock:
                    for hook in self.hooks:
                        hook(con, "new_events")
        finally:
            con.execute("DROP VIEW new_events")
            con.execute("DROP TABLE batch_events")

    def _repair_key_case(self, con: duckdb.DuckDBPyConnection) -> None:
        """Re-normalize records whose only fault is the letter case of their keys."""
        rows = con.execute(
            "SELECT source_object, source_index, account, raw FROM batch_events "
            "WHERE quarantine_reason IN ? OR (needs_key_repair AND quarantine_reason IS NULL)",
            [list(_REPAIRABLE)],
        ).fetchall()
        # Grouped by the row's account, which stands in for the source's account hint.
        repaired: dict[str | None, tuple[list[RawRecord], list[str]]] = {}
        for source, index, account, raw in rows:
            try:
                fixed = repair_key_case(orjson.loads(raw))
            except orjson.JSONDecodeError:
                continue
            if fixed is not None:
                hint = None if account == "unknown" else account
                records, docs = repaired.setdefault(hint, ([], []))
                records.append(RawRecord(source, index, raw.encode()))
                docs.append(orjson.dumps(fixed).decode())
        for hint, (records, docs) in repaired.items():
            con.executemany(
                "DELETE FROM batch_events WHERE source_object = ? AND source_index = ?",
                [(r.source, r.index) for r in records],
            )
            self._load_records(con, records, hint, docs)

    def _drop_duplicates(self, con: duckdb.DuckDBPyConnection) -> None:
        """Delete from the batch the repeats of an ``eventID`` and the IDs the lake holds."""
        repeated = con.execute(
            "SELECT count(*) FROM (SELECT event_id FROM new_events GROUP BY event_id "
            "HAVING count(*) > 1)"
        ).fetchone()
        if repeated and repeated[0]:
            con.execute(
                "DELETE FROM batch_events WHERE (source_object, source_index) IN ("
                "SELECT (source_object, source_index) FROM new_events QUALIFY row_number() OVER "
                "(PARTITION BY event_id ORDER BY source_object, source_index) > 1)"
            )
        # Only the partitions the batch writes to can hold its events: an eventID is unique to
        # the account that receives it, and the date comes from its eventTime.
        partitions = [
            (str(day), str(account))
            for day, account in con.execute(
                "SELECT DISTINCT date, account FROM new_events"
            ).fetchall()
        ]
        if not self.lake.files(partitions):
            return
        low, high = con.execute(
            "SELECT min(event_time), max(event_time) FROM new_events"
        ).fetchone()  # type: ignore[misc]
        con.execute(
            "DELETE FROM batch_events WHERE quarantine_reason IS NULL AND event_id IN ("
            f"SELECT event_id FROM {self.lake.scan_sql(partitions)} "
            "WHERE event_time BETWEEN ? AND ?)",
            [low, high],
        )

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
# CloudTrail log files read by DuckDB; parameters: the file paths, the largest object size.
_FILES_INPUT = (
    "(SELECT f.uri AS source_object, CAST(generate_subscripts(records, 1) - 1 AS BIGINT) "
    "AS source_index, f.account_hint, CAST(unnest(records) AS VARCHAR) AS raw, raw AS doc "
    "FROM (SELECT filename, coalesce(Records, [NULL::JSON]) AS records FROM read_json($1, "
    "columns = {'Records': 'JSON[]'}, records = true, format = 'unstructured', "
    "filename = true, maximum_object_size = $2)) AS j "
    "JOIN batch_files AS f ON f.path = j.filename)"
)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
