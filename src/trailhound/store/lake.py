"""The Parquet lake: zstd Parquet files partitioned by date and account, written atomically.

Every write happens under the data directory's write lock (``store.lock``): one commit at a time
across processes, so that an ingest's dedupe sees every event committed before it. A batch is
written by DuckDB into a staging folder beside the lake and then renamed into its partition, so a
reader (another process, Spark) only ever sees whole files. Files are named
```part-p1-<batch>-<n>.parquet``: the ``p1`` says the file carries the promoted columns
(``schema.PROMOTED_COLUMNS``); a file written before them is read with those columns computed
from its JSON parts, and compaction writes them out.

Compaction rewrites a partition's small files into one. The swap is made atomic for readers by a
journal: the merged file is written to staging, then ``compaction.json`` beside it names the
file to publish and the files it replaces, then (under the publish lock) the file is renamed in,
the old ones removed and the journal dropped. A reader lists the lake under the shared publish
lock and ignores every file a journal retires once the journal's new file is in the lake, so
neither a live compaction nor one killed between its steps shows an event twice. The next writer
finishes (or, if its file never reached the lake, discards) what a killed process left in staging.
Spark, which lists the folders itself, sees a killed compaction's leftovers until then.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import duckdb
import orjson

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.schema import ALL_COLUMNS, EVENT_COLUMNS, PROMOTED_COLUMNS, promoted_path
from trailhound.store.id_index import IdIndex, staged_sql
from trailhound.store.lock import WriteLock, listing, publishing

COMPACT_MIN_FILES = 8
COMPACT_SMALL_BYTES = 64 * 1024 * 1024
ROW_GROUP_SIZE = 122_880
HIVE_TYPES = "{'date': 'DATE', 'account': 'VARCHAR'}"
JOURNAL = "compaction.json"
# Names of the files that carry the promoted columns (every file written since they exist).
PROMOTED_PREFIX = "part-p1-"
# The only partition folder names the lake writes (the normalizer quarantines anything else).
_ACCOUNT = re.compile(r"[0-9]{12}|unknown")


class PartitionError(StoreError):
    """A batch holds a row whose date or account cannot name a partition folder."""


def check_partition(day: object, account: object) -> None:
    """Raise ``PartitionError`` unless ``(day, account)`` names a partition folder.

    >>> check_partition(date(2026, 11, 1), "111122223333")
    >>> check_partition("10000-01-01", "1")
    Traceback (most recent call last):
    ...
    trailhound.store.lake.PartitionError: no partition for date '10000-01-01', account '1'
    """
    if not (
        isinstance(day, date)
        and 1970 <= day.year < 2100
        and isinstance(account, str)
        and _ACCOUNT.fullmatch(account)
    ):
        raise PartitionError(f"no partition for date {day!r:.40}, account {account!r:.40}")


@dataclass(frozen=True, slots=True)
class PartitionStats:
    """Size of one partition of the lake."""

    date: str
    account: str
    files: int
    bytes: int


def quote_path(path: Path | str) -> str:
    """A file name as a DuckDB string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def copy_options(level: int | None = None) -> str:
    """DuckDB's COPY options for a lake file (zstd at ``level``, DuckDB's default if None)."""
    chosen = "" if level is None else f"COMPRESSION_LEVEL {level}, "
    return f"FORMAT parquet, COMPRESSION zstd, {chosen}ROW_GROUP_SIZE {ROW_GROUP_SIZE}"


def empty_scan_sql() -> str:
    """A table expression with the lake's columns and no row."""
    columns = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in ALL_COLUMNS)
    return f"(SELECT {columns} WHERE false)"


class EventLake(Protocol):
    """Where the events are stored: a local folder (``ParquetLake``) or S3 (``S3Lake``)."""

    def files(self, partitions: Iterable[tuple[str, str]] | None = None) -> Sequence[object]:
        """Every live event file, or those of the given ``(YYYY-MM-DD, account)`` partitions."""
        ...

    def uris(self) -> list[str]:
        """Every live event file as a URI (``file://``, ``s3://``) another engine can read."""
        ...

    def relation(
        self,
        con: duckdb.DuckDBPyConnection,
        partitions: Iterable[tuple[str, str]] | None = None,
    ) -> str:
        """A FROM-clause table expression on ``con`` over a snapshot of the events."""
        ...

    def partitions(self) -> list[PartitionStats]:
        """File count and bytes of every partition."""
        ...

    def id_relation(
        self,
        con: duckdb.DuckDBPyConnection,
        partitions: Iterable[tuple[str, str]],
        *,
        rebuild: bool = False,
    ) -> str | None:
        """A FROM-clause relation of ``(event_id, raw_hash)`` of the stored events of
        ``partitions`` from the dedupe index (``store.id_index``; ``rebuild`` builds it anew),
        or None if this lake keeps none. Under the write lock."""
        ...

    def partitions_between(self, first: date, last: date) -> list[tuple[str, str]]:
        """The ``(YYYY-MM-DD, account)`` partitions of the days from ``first`` to ``last``."""
        ...

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the data directory's write lock."""
        ...

    def write(self, con: duckdb.DuckDBPyConnection, relation: str) -> Sequence[object]:
        """Write every row of ``relation`` into the lake atomically."""
        ...

    def compact(self, con: duckdb.DuckDBPyConnection, min_files: int = COMPACT_MIN_FILES) -> int:
        """Merge each partition's small files; returns how many files were removed."""
        ...

    def expire(self, before: date) -> int:
        """Delete every partition dated before ``before``; returns how many files went."""
        ...


class ParquetLake:
    """Event storage under ``DataDir.events``."""

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir.ensure()
        self.root = data_dir.events
        self.lock = WriteLock(data_dir.write_lock)
        self.id_index = IdIndex(data_dir)

    # Reading -----------------------------------------------------------------------------
    def files(self, partitions: Iterable[tuple[str, str]] | None = None) -> list[Path]:
        """Every live event file, or those of the given ``(YYYY-MM-DD, account)`` partitions.

        One consistent snapshot: no publication is half seen, and the files a compaction
        replaced are left out as soon as its merged file is in the lake.
        """
        with listing(self.data_dir.publish_lock):
            if partitions is None:
                found = sorted(self.root.glob("date=*/account=*/*.parquet"))
            else:
                found = []
                for day, account in sorted(set(partitions)):
                    folder = self.root / f"date={day}" / f"account={account}"
                    found.extend(sorted(folder.glob("*.parquet")))
            retired = self._retired(set(found))
        return [f for f in found if f not in retired]

    def partitions_between(self, first: date, last: date) -> list[tuple[str, str]]:
        """The ``(YYYY-MM-DD, account)`` partitions of the days from ``first`` to ``last``, to
        read a few days without listing the whole lake."""
        found: list[tuple[str, str]] = []
        day = first
        while day <= last:
            folder = self.root / f"date={day.isoformat()}"
            found += [(day.isoformat(), p.name.removeprefix("account="))
                      for p in sorted(folder.glob("account=*"))]  # fmt: skip
            day += timedelta(days=1)
        return found

    def _retired(self, live: set[Path]) -> set[Path]:
        """Files that journals in staging replace with a file already in the lake."""
        retired: set[Path] = set()
        for journal in self.data_dir.staging.glob(f"*/{JOURNAL}"):
            publish, retire = self._read_journal(journal)
            if publish and all(p in live for p in publish):
                retired.update(retire)
        return retired

    def _read_journal(self, journal: Path) -> tuple[list[Path], list[Path]]:
        try:
            entry = orjson.loads(journal.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return [], []  # being removed, or not ours: it retires nothing
        return (
            [self.root / p for p in entry.get("publish", [])],
            [self.root / p for p in entry.get("retire", [])],
        )

    def scan_sql(self, partitions: Iterable[tuple[str, str]] | None = None) -> str:
        """A FROM-clause table expression over a snapshot of the events (empty if none).

        The files are listed now, not when the query runs, so a query never sees a compaction
        half done; a file compacted away since makes the query fail with an IO error, and the
        query engine lists again and retries.
        """
        files = self.files(partitions)
        if not files:
            return empty_scan_sql()
        return files_sql(files)

    def relation(
        self,
        con: duckdb.DuckDBPyConnection,
        partitions: Iterable[tuple[str, str]] | None = None,
    ) -> str:
        """:meth:`scan_sql` (DuckDB reads the local files itself; ``con`` is not needed)."""
        return self.scan_sql(partitions)

    def uris(self) -> list[str]:
        """Every live event file as a ``file://`` URI, as Hadoop reads it: the path as it is
        (percent-encoding, as ``Path.as_uri`` does, would name another file)."""
        return ["file://" + str(f) for f in self.files()]

    def id_relation(
        self,
        con: duckdb.DuckDBPyConnection,
        partitions: Iterable[tuple[str, str]],
        *,
        rebuild: bool = False,
    ) -> str | None:
        """The dedupe index of ``partitions`` (``store.id_index``), missing files built first."""
        if not self.lock.held():
            raise StoreError("reading the dedupe index needs the write lock")
        files = self.files(partitions)
        if rebuild:
            self.id_index.rebuild(con, files)
        return self.id_index.relation(con, files)

    def partitions(self) -> list[PartitionStats]:
        """File count and bytes of every partition."""
        grouped: dict[Path, list[Path]] = {}
        for file in self.files():
            grouped.setdefault(file.parent, []).append(file)
        stats: list[PartitionStats] = []
        for part, files in sorted(grouped.items()):
            sizes = []
            for file in files:
                with contextlib.suppress(FileNotFoundError):  # compacted away meanwhile
                    sizes.append(file.stat().st_size)
            stats.append(
                PartitionStats(
                    date=part.parent.name.removeprefix("date="),
                    account=part.name.removeprefix("account="),
                    files=len(files),
                    bytes=sum(sizes),
                )
            )
        return stats

    # Writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data directory's write lock; the first hold finishes a killed writer's work."""
        with self.lock.hold() as outermost:
            if outermost:
                self.recover()
            yield

    def recover(self) -> int:
        """Finish or discard what a killed writer left in staging; returns how many it handled.

        Only under the write lock: everything in staging then belongs to a dead process.
        """
        if not self.lock.held():
            raise StoreError("recovering the lake needs the write lock")
        handled = 0
        for batch in sorted(p for p in self.data_dir.staging.iterdir() if p.is_dir()):
            journal = batch / JOURNAL
            if journal.exists():
                publish, retire = self._read_journal(journal)
                # The journal is written once the merged file is whole: finish the swap.
                if publish and all(
                    p.exists() or (batch / p.relative_to(self.root)).exists() for p in publish
                ):
                    self._swap(batch, retire)
            shutil.rmtree(batch, ignore_errors=True)
            handled += 1
        return handled

    def write(self, con: duckdb.DuckDBPyConnection, relation: str) -> list[Path]:
        """Write every row of ``relation`` (a table or view name) into the lake atomically.

        One COPY per partition: a batch usually spans few partitions, and DuckDB's plain writer
        is about twice as fast as its partitioned one.
        """
        with self.writing():
            batch = uuid.uuid4().hex[:16]
            staging = self.data_dir.staging / batch
            columns = ", ".join(c.name for c in EVENT_COLUMNS)
            partitions = con.execute(f"SELECT DISTINCT date, account FROM {relation}").fetchall()
            for day, account in partitions:  # all checked before anything is written
                check_partition(day, account)
            try:
                for n, (day, account) in enumerate(sorted(partitions)):
                    folder = staging / f"date={day}" / f"account={account}"
                    target = folder / f"{PROMOTED_PREFIX}{batch}-{n}.parquet"
                    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    con.execute(
                        f"COPY (SELECT {columns} FROM {relation} WHERE date = ? AND account = ?) "
                        f"TO {quote_path(target)} ({copy_options(level=1)})",
                        [day, account],
                    )
                con.execute(staged_sql(relation, staging))  # the dedupe index, all at once
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)  # nothing of a failed batch is published
                raise
            return self._swap(staging, [])

    def _swap(self, staging: Path, retire: Iterable[Path]) -> list[Path]:
        """Move every file from a staging folder into the lake and remove ``retire``, at once."""
        published: list[Path] = []
        with publishing(self.data_dir.publish_lock):
            for file in sorted(staging.glob("date=*/account=*/*.parquet")):
                target = self.root / file.relative_to(staging)
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self.id_index.publish(staging, file, target)  # first: never an unindexed file
                file.replace(target)  # atomic within one file system
                published.append(target)
            for old in retire:
                old.unlink(missing_ok=True)
                self.id_index.retire(old)
            (staging / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        return published

    def compact(self, con: duckdb.DuckDBPyConnection, min_files: int = COMPACT_MIN_FILES) -> int:
        """Merge each partition's small files into one when it has ``min_files`` of them.

        Files already past ``COMPACT_SMALL_BYTES`` are left alone, so a partition that keeps
        receiving small batches (the collector) is not rewritten whole again and again.
        Returns how many files were removed.
        """
        removed = 0
        with self.writing():
            grouped: dict[Path, list[Path]] = {}
            for file in self.files():
                if file.stat().st_size < COMPACT_SMALL_BYTES:
                    grouped.setdefault(file.parent, []).append(file)
            for part, files in sorted(grouped.items()):
                if len(files) >= min_files:
                    self._compact_partition(con, part, files)
                    removed += len(files)
        return removed

    def _compact_partition(
        self, con: duckdb.DuckDBPyConnection, part: Path, files: list[Path]
    ) -> None:
        """Merge ``files`` of one partition: write, journal, then swap under the publish lock."""
        batch = uuid.uuid4().hex[:16]
        staging = self.data_dir.staging / batch
        target = staging / part.relative_to(self.root) / f"{PROMOTED_PREFIX}{batch}-0.parquet"
        target.parent.mkdir(mode=0o700, parents=True)
        columns = ", ".join(c.name for c in EVENT_COLUMNS)
        con.execute(
            f"COPY (SELECT {columns} FROM {files_sql(files, hive=False)} "
            f"ORDER BY event_time) TO {quote_path(target)} ({copy_options()})"
        )
        index = self.id_index.staged_folder(staging, target) / "index_0.parquet"
        index.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        con.execute(self.id_index.merge_sql(con, files, index))
        journal = {
            "publish": [str(target.relative_to(staging))],
            "retire": [str(f.relative_to(self.root)) for f in files],
        }
        _write_atomically(staging / JOURNAL, orjson.dumps(journal))
        self._swap(staging, files)

    def expire(self, before: date) -> int:
        """Delete every partition dated before ``before``; returns how many files went.

        Each day's folder is first renamed into staging under the publish lock (readers then
        no longer list it), then deleted: a crash in between leaves it for :meth:`recover`.
        """
        removed = 0
        with self.writing():
            for folder in sorted(self.root.glob("date=*")):
                try:
                    day = date.fromisoformat(folder.name.removeprefix("date="))
                except ValueError:
                    continue  # not a partition the lake wrote
                if day >= before:
                    continue
                removed += sum(1 for _ in folder.glob("account=*/*.parquet"))
                graveyard = self.data_dir.staging / f"expired-{uuid.uuid4().hex[:16]}"
                with publishing(self.data_dir.publish_lock):
                    folder.replace(graveyard)
                    self.id_index.retire_day(folder.name, graveyard)
                shutil.rmtree(graveyard, ignore_errors=True)
        return removed


def files_sql(files: Iterable[Path], *, hive: bool = True) -> str:
    """A FROM-clause table expression over event files, promoted columns filled in everywhere.

    Files written before the promoted columns existed get them computed from their JSON parts:
    the same text a JSON lookup gives, so a query reads the same values from either kind.
    """
    options = f"hive_partitioning = true, hive_types = {HIVE_TYPES}, " if hive else ""
    listed = sorted(files)
    current = [f for f in listed if f.name.startswith(PROMOTED_PREFIX)]
    older = [f for f in listed if not f.name.startswith(PROMOTED_PREFIX)]
    scans = []
    if current:
        source = "[" + ", ".join(quote_path(f) for f in current) + "]"
        plain = f"read_parquet({source}, {options}union_by_name = true)"
        if not older:
            return plain
        scans.append(f"SELECT * FROM {plain}")
    if older:
        source = "[" + ", ".join(quote_path(f) for f in older) + "]"
        filled = ", ".join(
            f"json_extract_string({part}, {quote_path(path)}) AS {c.name}"
            for c in PROMOTED_COLUMNS
            for part, path in [promoted_path(c)]
        )
        scans.append(
            f"SELECT *, {filled} FROM read_parquet({source}, {options}union_by_name = true)"
        )
    return "(" + " UNION ALL BY NAME ".join(scans) + ")"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a small file so that a reader sees all of it or nothing."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    partial.replace(path)
