"""The lake on object storage: the same zstd Parquet layout under ``s3://bucket/prefix``.

A data directory whose ``lake_uri`` is ``s3://bucket/prefix`` (``$TRAILHOUND_LAKE``) keeps its
events there, as ``prefix/events/date=…/account=…/part-….parquet``; the state database, the
locks and DuckDB's scratch space stay local. S3 is reached through ``pyarrow.fs.S3FileSystem``
(credentials from the usual AWS chain; a custom endpoint from ``$AWS_ENDPOINT_URL_S3`` or
``$AWS_ENDPOINT_URL``), never through a DuckDB extension, which locked-down hosts cannot
download: DuckDB reads the files as an Arrow dataset registered on its connection.

Writes are atomic for readers. A file is written locally by DuckDB, uploaded as
``prefix/_staging/part-<batch>-<n>.parquet`` and then copied server-side to its place
(``CopyObject``: the object appears whole or not at all); a process killed meanwhile leaves only
staging objects (or an upload never completed, which S3 never shows),
which a later writer removes once they are old. Several writers (collectors on other hosts) may
share one lake and no lock: an event delivered to two of them can be written twice. So the
``cloudtrail`` relation of an S3 lake keeps one row per ``eventID`` (the first stored), and
compaction, which merges a partition's small files, writes each event once.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.schema import EVENT_COLUMNS
from trailhound.store.lake import (
    COMPACT_MIN_FILES,
    COMPACT_SMALL_BYTES,
    PartitionStats,
    check_partition,
    copy_options,
    empty_scan_sql,
    quote_path,
)
from trailhound.store.lock import WriteLock

# A staging object this old belongs to a writer that died: no upload takes an hour.
STALE_STAGING = timedelta(hours=1)
# The stored copy of an event that a read keeps when several writers stored it.
FIRST_STORED = "ingested_at, source_object, source_index"


def parse_lake_uri(uri: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of an ``s3://bucket/prefix`` URI.

    >>> parse_lake_uri("s3://trail-lake/org/prod/")
    ('trail-lake', 'org/prod')
    """
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise StoreError(f"a lake on object storage is s3://bucket/prefix, not {uri!r:.100}")
    return parts.netloc, parts.path.strip("/")


def s3_filesystem() -> pafs.S3FileSystem:
    """An S3 file system on the endpoint the environment names (AWS's, by default)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options: dict[str, object] = {"region": region}
    if endpoint:
        parts = urlsplit(endpoint)
        options.update(endpoint_override=parts.netloc or endpoint, scheme=parts.scheme or "https")
    return pafs.S3FileSystem(**options)


@functools.cache
def _lake_schema() -> pa.Schema:
    """The Arrow schema of ``cloudtrail``: the files' columns, then ``account`` and ``date``."""
    columns = [f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in EVENT_COLUMNS]
    columns += ["CAST(NULL AS VARCHAR) AS account", "CAST(NULL AS DATE) AS date"]
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        return con.sql(f"SELECT {', '.join(columns)} LIMIT 0").to_arrow_table().schema


def lake_root(uri: str) -> str:
    """The events' folder (pyarrow's ``bucket/key`` path) of the lake at ``uri``."""
    bucket, prefix = parse_lake_uri(uri)
    return f"{bucket}/{prefix}/events" if prefix else f"{bucket}/events"


def lake_dataset(filesystem: pafs.FileSystem, root: str, files: list[str]) -> ds.Dataset:
    """An Arrow dataset over lake ``files`` under ``root``, with the partition columns from
    their folders (the Spark engine's tasks read the lake through it too)."""
    partitioning = ds.partitioning(
        pa.schema([("date", pa.date32()), ("account", pa.string())]), flavor="hive"
    )
    return ds.dataset(
        files,
        schema=_lake_schema(),
        format="parquet",
        filesystem=filesystem,
        partitioning=partitioning,
        partition_base_dir=root,
    )


class S3Lake:
    """Event storage under an ``s3://bucket/prefix`` URI."""

    def __init__(
        self, data_dir: DataDir, uri: str, *, filesystem: pafs.FileSystem | None = None
    ) -> None:
        bucket, prefix = parse_lake_uri(uri)
        self.data_dir = data_dir.ensure()
        self.uri = uri
        base = f"{bucket}/{prefix}" if prefix else bucket
        self.root = lake_root(uri)  # pyarrow's path: bucket/key
        self.staging = f"{base}/_staging"
        self.fs = filesystem or s3_filesystem()
        self.lock = WriteLock(data_dir.write_lock)

    # Reading -----------------------------------------------------------------------------
    def _listing(self, partitions: Iterable[tuple[str, str]] | None) -> list[pafs.FileInfo]:
        folders = (
            [self.root]
            if partitions is None
            else [f"{self.root}/date={d}/account={a}" for d, a in sorted(set(partitions))]
        )
        found: list[pafs.FileInfo] = []
        for folder in folders:
            selector = pafs.FileSelector(folder, allow_not_found=True, recursive=True)
            try:
                infos = self.fs.get_file_info(selector)
            except OSError as error:
                raise StoreError(f"cannot list the lake at {self.uri}: {error}") from error
            found += [
                i for i in infos if i.type == pafs.FileType.File and i.path.endswith(".parquet")
            ]
        return sorted(found, key=lambda i: i.path)

    def files(self, partitions: Iterable[tuple[str, str]] | None = None) -> list[str]:
        """Every event file (``bucket/key``), or those of the given partitions."""
        return [i.path for i in self._listing(partitions)]

    def uris(self) -> list[str]:
        """Every event file as an ``s3://`` URI."""
        return [f"s3://{path}" for path in self.files()]

    def dataset(self, files: list[str]) -> ds.Dataset:
        """An Arrow dataset over ``files``, with the partition columns from their folders."""
        return lake_dataset(self.fs, self.root, files)

    def relation(
        self,
        con: duckdb.DuckDBPyConnection,
        partitions: Iterable[tuple[str, str]] | None = None,
        *,
        dedupe: bool = True,
    ) -> str:
        """A FROM-clause table expression on ``con`` over a snapshot of the events.

        The files are listed now and registered on ``con`` as an Arrow dataset. With ``dedupe``
        an event stored by several writers is read once (its first stored copy).
        """
        files = self.files(partitions)
        if not files:
            return empty_scan_sql()
        name = f"_lake_{uuid.uuid4().hex[:12]}"
        con.register(name, self.dataset(files))
        if not dedupe:
            return name
        return (
            f"(SELECT * FROM {name} QUALIFY row_number() OVER "
            f"(PARTITION BY event_id ORDER BY {FIRST_STORED}) = 1)"
        )

    def partitions_between(self, first: date, last: date) -> list[tuple[str, str]]:
        """The ``(YYYY-MM-DD, account)`` partitions of the days from ``first`` to ``last``, to
        read a few days without listing the whole lake (one listing a day)."""
        found: list[tuple[str, str]] = []
        day = first
        while day <= last:
            folder = f"{self.root}/date={day.isoformat()}"
            selector = pafs.FileSelector(folder, allow_not_found=True, recursive=False)
            try:
                infos = self.fs.get_file_info(selector)
            except OSError as error:
                raise StoreError(f"cannot list the lake at {self.uri}: {error}") from error
            found += sorted(
                (day.isoformat(), i.base_name.removeprefix("account="))
                for i in infos
                if i.type == pafs.FileType.Directory and i.base_name.startswith("account=")
            )
            day += timedelta(days=1)
        return found

    def partitions(self) -> list[PartitionStats]:
        """File count and bytes of every partition."""
        grouped: dict[tuple[str, str], list[int]] = {}
        for info in self._listing(None):
            day, account = _partition_of(info.path)
            grouped.setdefault((day, account), []).append(info.size or 0)
        return [
            PartitionStats(date=d, account=a, files=len(sizes), bytes=sum(sizes))
            for (d, a), sizes in sorted(grouped.items())
        ]

    def id_relation(
        self,
        con: duckdb.DuckDBPyConnection,
        partitions: Iterable[tuple[str, str]],
        *,
        rebuild: bool = False,
    ) -> str | None:
        """None: a lake on S3 keeps no dedupe index; dedupe reads its event files."""
        return None

    # Writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this data directory's write lock (writers on other hosts hold their own)."""
        with self.lock.hold() as outermost:
            if outermost:
                self.recover()
            yield

    def recover(self, now: datetime | None = None) -> int:
        """Remove staging objects old enough to belong to a dead writer; returns how many."""
        cutoff = (now or datetime.now(UTC)) - STALE_STAGING
        selector = pafs.FileSelector(self.staging, allow_not_found=True, recursive=True)
        stale = [
            i.path
            for i in self.fs.get_file_info(selector)
            if i.type == pafs.FileType.File
            and i.path.endswith(".parquet")
            and i.mtime is not None
            and i.mtime < cutoff
        ]
        for path in stale:
            with contextlib.suppress(FileNotFoundError):
                self.fs.delete_file(path)
        return len(stale)

    def write(self, con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
        """Write every row of ``relation`` into the lake; each file appears whole or not at all."""
        with self.writing():
            partitions = con.execute(f"SELECT DISTINCT date, account FROM {relation}").fetchall()
            for day, account in partitions:  # all checked before anything is written
                check_partition(day, account)
            columns = ", ".join(c.name for c in EVENT_COLUMNS)
            with self._local_batch() as (batch, local):
                for n, (day, account) in enumerate(sorted(partitions)):
                    folder = local / f"date={day}" / f"account={account}"
                    target = folder / f"part-{batch}-{n}.parquet"
                    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    con.execute(
                        f"COPY (SELECT {columns} FROM {relation} WHERE date = ? AND account = ?) "
                        f"TO {quote_path(target)} ({copy_options(level=1)})",
                        [day, account],
                    )
                return self._publish(batch, local)

    @contextlib.contextmanager
    def _local_batch(self) -> Iterator[tuple[str, Path]]:
        batch = uuid.uuid4().hex[:16]
        local = self.data_dir.staging / batch
        try:
            yield batch, local
        finally:
            shutil.rmtree(local, ignore_errors=True)

    def _publish(self, batch: str, local: Path) -> list[str]:
        """Upload a local batch folder to staging, then copy each object to its place."""
        published: list[str] = []
        local_fs = pafs.LocalFileSystem()
        for file in sorted(local.glob("date=*/account=*/*.parquet")):
            relative = file.relative_to(local).as_posix()
            # Flat staging names: pyarrow keeps an emulated folder's marker object when its
            # last file goes, and one marker (``_staging/``) is enough.
            staged, target = f"{self.staging}/{file.name}", f"{self.root}/{relative}"
            try:
                pafs.copy_files(
                    str(file), staged, source_filesystem=local_fs, destination_filesystem=self.fs
                )
                self.fs.move(staged, target)  # a server-side copy: whole or absent
            except OSError as error:
                raise StoreError(f"cannot write {target} to the lake: {error}") from error
            published.append(target)
        return published

    def compact(self, con: duckdb.DuckDBPyConnection, min_files: int = COMPACT_MIN_FILES) -> int:
        """Merge each partition's small files into one, each event once; returns files removed.

        The merged file is published before the old ones are deleted: a reader in between sees
        events twice in the files, and once through :meth:`relation`.
        """
        removed = 0
        with self.writing():
            grouped: dict[tuple[str, str], list[str]] = {}
            for info in self._listing(None):
                if (info.size or 0) < COMPACT_SMALL_BYTES:
                    grouped.setdefault(_partition_of(info.path), []).append(info.path)
            for (day, account), files in sorted(grouped.items()):
                if len(files) < min_files:
                    continue
                self._compact_partition(con, day, account, files)
                removed += len(files)
        return removed

    def _compact_partition(
        self, con: duckdb.DuckDBPyConnection, day: str, account: str, files: list[str]
    ) -> None:
        name = f"_compact_{uuid.uuid4().hex[:12]}"
        con.register(name, self.dataset(files))
        columns = ", ".join(c.name for c in EVENT_COLUMNS)
        try:
            with self._local_batch() as (batch, local):
                target = local / f"date={day}" / f"account={account}" / f"part-{batch}-0.parquet"
                target.parent.mkdir(mode=0o700, parents=True)
                con.execute(
                    f"COPY (SELECT {columns} FROM {name} QUALIFY row_number() OVER "
                    f"(PARTITION BY event_id ORDER BY {FIRST_STORED}) = 1 ORDER BY event_time) "
                    f"TO {quote_path(target)} ({copy_options()})"
                )
                self._publish(batch, local)
        finally:
            con.unregister(name)
        for path in files:
            with contextlib.suppress(FileNotFoundError):
                self.fs.delete_file(path)

    def expire(self, before: date) -> int:
        """Delete every partition dated before ``before``; returns how many files went."""
        removed = 0
        with self.writing():
            for info in self._listing(None):
                day, _ = _partition_of(info.path)
                if date.fromisoformat(day) < before:
                    with contextlib.suppress(FileNotFoundError):
                        self.fs.delete_file(info.path)
                    removed += 1
        return removed


def _partition_of(path: str) -> tuple[str, str]:
    """``(date, account)`` of a file path ``…/date=D/account=A/file``."""
    parts = path.split("/")
    return parts[-3].removeprefix("date="), parts[-2].removeprefix("account=")
