"""Load raw input into the ``batch_events`` table of a DuckDB connection, normalized.

Two readers fill it:

- the **fast path**: DuckDB's JSON reader straight from disk, for CloudTrail's own
  ``{"Records": [...]}`` files (``FAST_FORMATS``) within the size limit, in one statement per
  batch; files it cannot read, or reads as several documents, go to the careful path;
- the **careful path**: ``sources.decode`` in Python for every other shape, for objects held in
  memory, and for what the fast path gave back; damage becomes quarantine entries.

Both go through the normalizer (``normalize.records``); ``finish`` then settles in Python what
DuckDB could not (``normalize.batch_checks``). Nothing here writes anywhere but the connection.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable, Sequence

import duckdb
import pyarrow as pa

from trailhound.model import (
    DEFAULT_LIMITS,
    Blob,
    InputFormat,
    QuarantineEntry,
    RawRecord,
    RecordLimits,
    SourceFile,
)
from trailhound.normalize.batch_checks import (
    BATCH_TABLE,
    check_structure,
    registered,
    repair_key_cases,
)
from trailhound.normalize.records import normalize_sql
from trailhound.sources.base import in_batches
from trailhound.sources.decode import DEFAULT_MAX_BYTES, decode_bytes
from trailhound.sources.files import read_file

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

Decoded = tuple[list[RawRecord], list[QuarantineEntry]]


def split_decoded(decoded: Iterable[RawRecord | QuarantineEntry]) -> Decoded:
    """Records and quarantine entries apart."""
    records: list[RawRecord] = []
    quarantine: list[QuarantineEntry] = []
    for item in decoded:
        if isinstance(item, RawRecord):
            records.append(item)
        else:
            quarantine.append(item)
    return records, quarantine


OnRead = Callable[[int, int], None]  # (files, records) read since the last call
# With a progress callback, the fast path reads its files in groups of about this many bytes
# (one statement each) so that a progress bar moves while a batch loads.
PROGRESS_GROUP_BYTES = 1024 * 1024
PROGRESS_GROUP_FILES = 32


class BatchLoader:
    """Fills ``batch_events`` from files and blobs; one loader serves every connection."""

    def __init__(
        self,
        *,
        max_object_bytes: int = DEFAULT_MAX_BYTES,
        fast_object_bytes: int = 64 * 1024 * 1024,
        limits: RecordLimits = DEFAULT_LIMITS,
    ) -> None:
        self.max_object_bytes = max_object_bytes
        # DuckDB allocates buffers of this size per thread: larger files go to Python.
        self.fast_object_bytes = fast_object_bytes
        self.limits = limits
        self._normalize_python = normalize_sql("python_input", limits)
        self._normalize_files = normalize_sql(_FILES_INPUT, limits)
        self._empty_events = normalize_sql(_EMPTY_INPUT, limits) + " LIMIT 0"

    def start(self, con: duckdb.DuckDBPyConnection) -> None:
        """An empty ``batch_events`` on ``con``."""
        con.execute(f"CREATE OR REPLACE TEMP TABLE {BATCH_TABLE} AS {self._empty_events}")

    def load(
        self,
        con: duckdb.DuckDBPyConnection,
        files: Sequence[SourceFile] = (),
        blobs: Sequence[Blob] = (),
        on_read: OnRead | None = None,
    ) -> list[QuarantineEntry]:
        """A new ``batch_events`` holding ``files`` and ``blobs``; returns what is quarantined
        whole or in part outside the table (unreadable objects, damage found by the reader).

        ``on_read(files, records)`` is told about every object once it is read (a progress bar).
        """
        self.start(con)
        reported: set[str] = set()
        quarantine: list[QuarantineEntry] = []
        # DuckDB follows symbolic links: a file replaced by one since discovery goes to the
        # careful reader, which opens nothing through a link.
        fast = [
            f
            for f in files
            if f.format in FAST_FORMATS
            and f.size <= self.max_object_bytes
            and not f.path.is_symlink()
        ]
        careful = [f for f in files if f not in fast]
        if fast:
            groups = (
                list(in_batches(fast, PROGRESS_GROUP_BYTES, PROGRESS_GROUP_FILES))
                if on_read
                else [fast]
            )
            unreadable = []
            for group in groups:
                failed = self._load_fast(con, group)
                unreadable += failed
                if on_read:
                    read = [f.uri for f in group if f not in failed]
                    self._report_read(con, read, on_read)
                    reported.update(read)
            careful += unreadable
            careful += self._unload_documents(con, [f for f in fast if f not in unreadable])
            quarantine += self._overflowing(con)
        for source in careful:
            records, damage = self.decode_file(source)
            quarantine += damage
            self.load_records(con, records, source.account_hint)
            if on_read and source.uri not in reported:  # a file read again is counted once
                on_read(1, len(records))
        # Blobs (pushed bodies, often many small ones) are normalized together, one statement
        # per account hint: the normalizer's statement costs more to run than a body to decode.
        by_hint: dict[str | None, list[RawRecord]] = {}
        for blob in blobs:
            records, damage = self.decode_blob(blob)
            quarantine += damage
            by_hint.setdefault(blob.account_hint, []).extend(records)
            if on_read:
                on_read(1, len(records))
        for hint, records in by_hint.items():
            self.load_records(con, records, hint)
        return quarantine

    @staticmethod
    def _report_read(con: duckdb.DuckDBPyConnection, uris: list[str], on_read: OnRead) -> None:
        """Tell ``on_read`` about each file of a group the fast path read, with its records."""
        counts = dict(
            con.execute(
                f"SELECT source_object, count(*) FROM {BATCH_TABLE} "
                "WHERE source_object IN (SELECT unnest(?)) GROUP BY source_object",
                [uris],
            ).fetchall()
        )
        for uri in uris:
            on_read(1, int(counts.get(uri, 0)))

    def finish(self, con: duckdb.DuckDBPyConnection) -> None:
        """Repair key cases and check structure limits: the passes DuckDB cannot do alone."""
        repair_key_cases(
            con, lambda records, hint, docs: self.load_records(con, records, hint, docs)
        )
        check_structure(con, self.limits)

    # The careful path --------------------------------------------------------------------
    def decode_file(self, source: SourceFile) -> Decoded:
        """The records of one file read in Python, and what of it is quarantined."""
        limit = self.max_object_bytes
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
        return split_decoded(
            decode_bytes(data, source.uri, source.format, max_bytes=limit, limits=self.limits)
        )

    def decode_blob(self, blob: Blob) -> Decoded:
        """The records of one object held in memory, and what of it is quarantined."""
        return split_decoded(
            decode_bytes(
                blob.data,
                blob.name,
                blob.format,
                max_bytes=self.max_object_bytes,
                limits=self.limits,
            )
        )

    def load_records(
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
            con.execute(f"INSERT INTO {BATCH_TABLE} {self._normalize_python}")

    # The fast path -----------------------------------------------------------------------
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
                f"INSERT INTO {BATCH_TABLE} {self._normalize_files}",
                [
                    [str(f.path) for f in files],
                    self.fast_object_bytes,
                    self.limits.max_records + 1,
                ],
            )

    def _unload_documents(
        self, con: duckdb.DuckDBPyConnection, files: list[SourceFile]
    ) -> list[SourceFile]:
        """Take back the files DuckDB read as several documents or as none, for the careful reader.

        Concatenated gzip members are documents of their own, each numbered from 0: their
        records would share positions. The careful reader names them ``uri:n``. A file with no
        document at all (empty, or only spaces) gives DuckDB no row: the careful reader reports it.
        """
        several = {
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT source_object FROM {BATCH_TABLE} "
                "GROUP BY source_object, source_index HAVING count(*) > 1"
            ).fetchall()
        }
        read = {
            row[0]
            for row in con.execute(f"SELECT DISTINCT source_object FROM {BATCH_TABLE}").fetchall()
        }
        if several:
            con.execute(f"DELETE FROM {BATCH_TABLE} WHERE source_object IN ?", [list(several)])
        return [f for f in files if f.uri in several or f.uri not in read]

    def _overflowing(self, con: duckdb.DuckDBPyConnection) -> list[QuarantineEntry]:
        """Entries for the documents DuckDB read past the per-object limit, whose rest is dropped.

        DuckDB reads one record more than the limit of each document: that one marks it.
        """
        limit = self.limits.max_records
        marked = con.execute(
            f"SELECT source_object FROM {BATCH_TABLE} WHERE source_index >= ? GROUP BY ALL",
            [limit],
        ).fetchall()
        if not marked:
            return []
        con.execute(f"DELETE FROM {BATCH_TABLE} WHERE source_index >= ?", [limit])
        reason = (
            f"more than {limit} records in one object: records from index {limit} on were not read"
        )
        return [QuarantineEntry(str(source), limit, reason) for (source,) in marked]


def drop_batch(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what a batch (committed or failed) left on its connection."""
    con.execute("DROP VIEW IF EXISTS new_events")
    con.execute(f"DROP TABLE IF EXISTS {BATCH_TABLE}")
    con.execute("DROP TABLE IF EXISTS collisions")
    con.execute("DROP TABLE IF EXISTS batch_snapshot")
