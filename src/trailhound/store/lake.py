"""The Parquet lake: zstd Parquet files partitioned by date and account, written atomically.

A batch is written by DuckDB into a staging directory beside the lake and then renamed into its
partition, so a reader (another process, Spark) only ever sees whole files. Files are named
``part-<batch>-<n>.parquet``; compaction rewrites a partition's small files into one, publishing
the new file before deleting the old ones: nothing is ever missing, but a query that lists the
partition in that instant can see its events twice (the query engine retries a query whose file
vanished). A table format with a manifest (Iceberg, Delta) would close that window; DuckDB's
built-in extensions here cannot write one.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.schema import ALL_COLUMNS, EVENT_COLUMNS

COMPACT_MIN_FILES = 8
COMPACT_SMALL_BYTES = 64 * 1024 * 1024
ROW_GROUP_SIZE = 122_880
HIVE_TYPES = "{'date': 'DATE', 'account': 'VARCHAR'}"
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


def _quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class ParquetLake:
    """Event storage under ``DataDir.events``."""

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir.ensure()
        self.root = data_dir.events

    # Reading -----------------------------------------------------------------------------
    def files(self, partitions: Iterable[tuple[str, str]] | None = None) -> list[Path]:
        """Every event file, or those of the given ``(YYYY-MM-DD, account)`` partitions."""
        if partitions is None:
            return sorted(self.root.glob("date=*/account=*/*.parquet"))
        found: list[Path] = []
        for day, account in sorted(set(partitions)):
            found.extend(
                sorted((self.root / f"date={day}" / f"account={account}").glob("*.parquet"))
            )
        return found

    def scan_sql(self, partitions: Iterable[tuple[str, str]] | None = None) -> str:
        """A FROM-clause table expression over the events (an empty relation if none)."""
        files = self.files(partitions)
        if not files:
            columns = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in ALL_COLUMNS)
            return f"(SELECT {columns} WHERE false)"
        if partitions is None:
            source = _quote(self.root / "*" / "*" / "*.parquet")
        else:
            source = "[" + ", ".join(_quote(f) for f in files) + "]"
        return (
            f"read_parquet({source}, hive_partitioning = true, hive_types = {HIVE_TYPES}, "
            "union_by_name = true)"
        )

    def partitions(self) -> list[PartitionStats]:
        """File count and bytes of every partition."""
        stats: list[PartitionStats] = []
        for part in sorted(self.root.glob("date=*/account=*")):
            files = list(part.glob("*.parquet"))
            stats.append(
                PartitionStats(
                    date=part.parent.name.removeprefix("date="),
                    account=part.name.removeprefix("account="),
                    files=len(files),
                    bytes=sum(f.stat().st_size for f in files),
                )
            )
        return stats

    # Writing -----------------------------------------------------------------------------
    def write(self, con: duckdb.DuckDBPyConnection, relation: str) -> list[Path]:
        """Write every row of ``relation`` (a table or view name) into the lake atomically.

        One COPY per partition: a batch usually spans few partitions, and DuckDB's plain writer
        is about twice as fast as its partitioned one.
        """
        batch = uuid.uuid4().hex[:16]
        staging = self.data_dir.staging / batch
        columns = ", ".join(c.name for c in EVENT_COLUMNS)
        partitions = con.execute(f"SELECT DISTINCT date, account FROM {relation}").fetchall()
        for day, account in partitions:  # all checked before anything is written
            check_partition(day, account)
        try:
            for n, (day, account) in enumerate(sorted(partitions)):
                folder = staging / f"date={day}" / f"account={account}"
                target = folder / f"part-{batch}-{n}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                con.execute(
                    f"COPY (SELECT {columns} FROM {relation} WHERE date = ? AND account = ?) "
                    f"TO {_quote(target)} (FORMAT parquet, COMPRESSION zstd, "
                    f"COMPRESSION_LEVEL 1, ROW_GROUP_SIZE {ROW_GROUP_SIZE})",
                    [day, account],
                )
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)  # nothing of a failed batch is published
            raise
        return self._publish(staging)

    def _publish(self, staging: Path) -> list[Path]:
        """Move every file from a staging directory into the same partition of the lake."""
        published: list[Path] = []
        for file in sorted(staging.glob("**/*.parquet")):
            target = self.root / file.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            file.replace(target)  # atomic within one file system
            published.append(target)
        shutil.rmtree(staging, ignore_errors=True)
        return published

    def compact(self, con: duckdb.DuckDBPyConnection, min_files: int = COMPACT_MIN_FILES) -> int:
        """Merge each partition's small files into one when it has ``min_files`` of them.

        Files already past ``COMPACT_SMALL_BYTES`` are left alone, so a partition that keeps
        receiving small batches (the collector) is not rewritten whole again and again.
        Returns how many files were removed.
        """
        removed = 0
        for part in sorted(self.root.glob("date=*/account=*")):
            files = sorted(
                f for f in part.glob("*.parquet") if f.stat().st_size < COMPACT_SMALL_BYTES
            )
            if len(files) < min_files:
                continue
            batch = uuid.uuid4().hex[:16]
            staging = self.data_dir.staging / batch
            staging.mkdir(parents=True)
            target = staging / part.relative_to(self.root) / f"part-{batch}-0.parquet"
            target.parent.mkdir(parents=True)
            sources = "[" + ", ".join(_quote(f) for f in files) + "]"
            columns = ", ".join(c.name for c in EVENT_COLUMNS)
            con.execute(
                f"COPY (SELECT {columns} FROM read_parquet({sources}, union_by_name = true) "
                f"ORDER BY event_time) TO {_quote(target)} "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
            )
            self._publish(staging)
            for file in files:
                file.unlink()
            removed += len(files)
        return removed
