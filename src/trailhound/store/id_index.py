"""The dedupe index: for each event file of a local lake, its event IDs and a fingerprint of each
record's text, in a small Parquet file of its own.

Dedupe (``store.dedupe``) asks of every batch whether its eventIDs are stored already and, if so,
whether the stored record is the same one. Asking the event files means opening every wide file of
the partitions a batch touches and, for each repeat, reading the stored record's text. The index
holds only what the question needs: ``event_time``, ``event_id`` and ``raw_hash``, the low 64 bits
of the MD5 of the record's text (DuckDB's ``md5_number_lower``), so a repeat of the same record is
settled without reading any event file; only a record whose text differs from the stored one (a
conflict, or the same event with its keys in another order) has the stored text read. Each file is
in small row groups carrying their time span (a batch's file covers the few hours of its batch,
a compaction's merged file is sorted by time): dedupe asks only for the batch's time span (a
repeat is the same event, at the same time), so it reads the row groups of that span, not the
whole partition. A batch's index is not sorted: the sort cost more than it saved.

Layout: ``<lake>/ids/date=D/account=A/<stem>.<bytes>.ids`` indexes the event file
``<lake>/events/date=D/account=A/<stem>.parquet`` of that many bytes. It is written with its event
file (into the same staging folder, and renamed into place just before it), and a compaction's
merged file gets the concatenation of the indexes of the files it replaces. An index file counts
only for the event file it names, at that size: one missing (a lake written before the index
existed, a crash between the two renames, a deletion) or stale (another size) is rebuilt from its
event file when dedupe next needs it; one whose event file is gone is removed then. Only dedupe
reads it, under the data directory's write lock, so no reader ever sees one half written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from trailhound.data_dir import DataDir

SUFFIX = ".ids"  # Parquet inside; not named .parquet, so no tool takes it for events
# Small row groups, sorted by time: dedupe reads only those whose time span meets its batch's.
_COPY_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 16384"


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def raw_hash_sql(raw: str = "raw") -> str:
    """SQL of the fingerprint of a record's text (the column ``raw``) that the index keeps."""
    return f"md5_number_lower({raw})"


def index_sql(select: str, target: Path) -> str:
    """The COPY writing the index of the rows of ``select`` (a query with ``event_time``,
    ``event_id`` and ``raw`` columns, built by the store) to ``target``."""
    return (
        f"COPY (SELECT event_time, event_id, {raw_hash_sql()} AS raw_hash FROM ({select}) "
        f"AS rows ORDER BY event_time) TO {_quote(target)} ({_COPY_OPTIONS})"
    )


def staged_sql(relation: str, staging: Path) -> str:
    """The COPY writing the index of every row of ``relation`` (a batch about to be written,
    with ``date`` and ``account`` columns) into ``staging``, a file per partition: one statement
    for the whole batch, since a statement costs more than a small partition's index."""
    return (
        f"COPY (SELECT date, account, event_time, event_id, {raw_hash_sql()} AS raw_hash "
        f"FROM {relation}) "
        f"TO {_quote(staging / 'ids')} ({_COPY_OPTIONS}, PARTITION_BY (date, account), "
        "FILENAME_PATTERN 'index_{i}')"
    )


class IdIndex:
    """The dedupe index of a lake under ``DataDir.events`` (``store.lake.ParquetLake``)."""

    def __init__(self, data_dir: DataDir) -> None:
        self.events = data_dir.events
        self.root = data_dir.lake / "ids"

    # Names ---------------------------------------------------------------------------------
    def folder_of(self, event_file: Path) -> Path:
        """The index folder of the partition an event file is in."""
        return self.root / event_file.parent.relative_to(self.events)

    def path_of(self, event_file: Path, size: int) -> Path:
        """The index file of ``event_file`` when it has ``size`` bytes."""
        return self.folder_of(event_file) / f"{event_file.stem}.{size}{SUFFIX}"

    @staticmethod
    def staged_folder(staging: Path, staged_event_file: Path) -> Path:
        """Where the index of an event file written to ``staging`` is written (as the one
        Parquet file of that folder: a batch or a compaction writes one file per partition)."""
        relative = staged_event_file.relative_to(staging)
        return staging / "ids" / relative.parent

    # Writing (under the write lock) --------------------------------------------------------
    def publish(self, staging: Path, staged_event_file: Path, target: Path) -> None:
        """Move a staged event file's index into place, named for the event file's size; the
        caller renames the event file to ``target`` next."""
        staged = sorted(self.staged_folder(staging, staged_event_file).glob("*.parquet"))
        if len(staged) == 1:  # otherwise not ours to guess: built from the event file later
            final = self.path_of(target, staged_event_file.stat().st_size)
            final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            staged[0].replace(final)

    def retire(self, event_file: Path) -> None:
        """Remove the index files of an event file that leaves the lake."""
        folder = self.folder_of(event_file)
        for old in folder.glob(f"{event_file.stem}.*{SUFFIX}"):
            old.unlink(missing_ok=True)

    def retire_day(self, folder_name: str, graveyard: Path) -> None:
        """Move the index folder of a day (``date=YYYY-MM-DD``) into ``graveyard``."""
        day = self.root / folder_name
        if day.exists():
            graveyard.mkdir(mode=0o700, parents=True, exist_ok=True)
            day.replace(graveyard / "ids")

    # Reading (under the write lock) --------------------------------------------------------
    def files(self, con: duckdb.DuckDBPyConnection, event_files: Sequence[Path]) -> list[Path]:
        """The index file of every event file given, each built first if missing or stale;
        index files of the same partitions whose event file is gone are removed."""
        wanted: dict[Path, Path] = {}
        for event_file in event_files:
            with contextlib.suppress(FileNotFoundError):  # compacted away: not asked of
                wanted[event_file] = self.path_of(event_file, event_file.stat().st_size)
        keep = set(wanted.values())
        for folder in {self.folder_of(f) for f in event_files}:
            for existing in folder.glob(f"*{SUFFIX}"):
                if existing not in keep:
                    existing.unlink(missing_ok=True)  # stale, or its event file is gone
        for event_file, index in wanted.items():
            if not index.exists():
                self.build(con, event_file, index)
        return sorted(keep)

    def build(self, con: duckdb.DuckDBPyConnection, event_file: Path, index: Path) -> None:
        """Write ``index`` from its event file (whole or not at all)."""
        index.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = index.with_name(index.name + ".partial")
        select = f"SELECT event_time, event_id, raw FROM read_parquet({_quote(event_file)})"
        con.execute(index_sql(select, partial))
        partial.replace(index)

    def rebuild(self, con: duckdb.DuckDBPyConnection, event_files: Iterable[Path]) -> None:
        """Build the index files of ``event_files`` again, whatever is there (one was
        unreadable)."""
        for event_file in event_files:
            self.retire(event_file)
            with contextlib.suppress(FileNotFoundError):
                self.build(con, event_file, self.path_of(event_file, event_file.stat().st_size))

    def merge_sql(
        self, con: duckdb.DuckDBPyConnection, event_files: Sequence[Path], target: Path
    ) -> str:
        """The COPY writing, to ``target``, the index of a file that merges ``event_files``."""
        listed = ", ".join(_quote(f) for f in self.files(con, event_files))
        return (
            f"COPY (SELECT event_time, event_id, raw_hash FROM read_parquet([{listed}]) "
            f"ORDER BY event_time) TO {_quote(target)} ({_COPY_OPTIONS})"
        )

    def relation(self, con: duckdb.DuckDBPyConnection, event_files: Sequence[Path]) -> str:
        """A FROM-clause relation of ``(event_time, event_id, raw_hash)`` over ``event_files``'
        indexes."""
        files = self.files(con, event_files)
        if not files:
            return (
                "(SELECT NULL::TIMESTAMPTZ AS event_time, NULL::VARCHAR AS event_id, "
                "NULL::UBIGINT AS raw_hash WHERE false)"
            )
        listed = ", ".join(_quote(f) for f in files)
        return f"read_parquet([{listed}])"
