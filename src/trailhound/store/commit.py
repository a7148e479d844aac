"""Commit a normalized batch: dedupe, write to the lake, record, one batch at a time.

The batch is in ``batch_events`` on the caller's DuckDB connection (``normalize.batch``). Under a
lock of this process (batches are normalized in parallel threads) and the data directory's write
lock (other processes), so that no one writes between this batch's dedupe and its write:

1. the files of the batch are looked up in the ingest ledger again: one another ingest stored
   since this one found it is dropped from the batch, so its quarantined input is not recorded
   twice (its events would only be duplicates);
2. duplicates are dropped and eventID conflicts quarantined (``store.dedupe``);
3. the rest is written to the lake atomically (``store.lake``), and the caller's
   ``after_write`` sees it (the intel enrichment of the batch's new addresses);
4. only then the files go to the ingest ledger and the completeness ledger, and the quarantined
   input to the quarantine, in one transaction (``store.state``): a crash at any point means
   reading again, never loss.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb

from trailhound.model import IngestSummary, Match, QuarantineEntry, SkipReason, SourceFile
from trailhound.normalize.batch_checks import BATCH_TABLE
from trailhound.stage_clock import StageClock
from trailhound.store.dedupe import conflict_matches, drop_duplicates
from trailhound.store.lake import EventLake
from trailhound.store.state import EXCERPT_CHARS, StateDB

NEW_EVENTS = "new_events"  # the view of a committed batch's new events, for detection


@dataclass(slots=True)
class Committed:
    """What one commit did."""

    summary: IngestSummary
    conflicts: list[Match] = field(default_factory=list)  # for the alert store


def belongs_to(source: str, uri: str) -> bool:
    """Whether a record's or entry's source is the file ``uri`` (or its n-th document).

    >>> belongs_to("a.json:3", "a.json"), belongs_to("a.json.gz", "a.json")
    (True, False)
    """
    if source == uri:
        return True
    rest = source[len(uri) + 1 :] if source.startswith(uri + ":") else ""
    return rest.isdigit()


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


class Committer:
    """Commits batches into one data directory's lake and state, one at a time."""

    def __init__(
        self,
        lake: EventLake,
        state: StateDB,
        run_id: str,
        clock: StageClock | None = None,
        *,
        after_write: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
    ) -> None:
        self.lake = lake
        self.state = state
        self.run_id = run_id
        self.clock = clock or StageClock()
        self.after_write = after_write  # under the locks, with the written events' view
        self._lock = threading.Lock()  # batches are normalized in parallel, committed in turn

    def commit(
        self,
        con: duckdb.DuckDBPyConnection,
        quarantine: Sequence[QuarantineEntry],
        files: Sequence[SourceFile],
        *,
        owner: SourceFile | None = None,
    ) -> Committed:
        """Commit ``batch_events`` (loaded and finished) with the files it was read from.

        ``owner`` is the file a part of records comes from while its failure is isolated: it is
        looked up in the ledger like ``files``, but recorded only when the isolation ends.
        Leaves the view ``new_events`` of the events written, for the caller to drop.
        """
        summary = IngestSummary()
        clock = self.clock
        waiting = time.perf_counter()
        with self._lock, self.lake.writing():
            clock.add("wait", time.perf_counter() - waiting)
            stored = self._stored_meanwhile([*files, *([owner] if owner else [])])
            if stored:
                quarantine = self._forget(con, quarantine, stored)
                files = [f for f in files if f not in stored]
                summary.files_skipped[SkipReason.ALREADY_INGESTED.value] += sum(
                    1 for f in stored if f is not owner
                )
            summary.records = _count(con, f"SELECT count(*) FROM {BATCH_TABLE}")
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {NEW_EVENTS} AS SELECT * EXCLUDE "
                "(quarantine_reason, needs_key_repair, needs_structure_check) "
                f"FROM {BATCH_TABLE} WHERE quarantine_reason IS NULL"
            )
            good = _count(con, f"SELECT count(*) FROM {NEW_EVENTS}")
            with clock.stage("dedupe"):
                conflicts = drop_duplicates(con, self.lake)
            written = _count(con, f"SELECT count(*) FROM {NEW_EVENTS}")
            if written:
                with clock.stage("write"):
                    self.lake.write(con, NEW_EVENTS)
                if self.after_write is not None:
                    with clock.stage("enrich"):
                        self.after_write(con, NEW_EVENTS)
            recording = time.perf_counter()
            per_file = dict(
                con.execute(
                    f"SELECT source_object, count(*) FROM {BATCH_TABLE} GROUP BY ALL"
                ).fetchall()
            )
            # Quarantined rows go from DuckDB to the state database in Arrow batches, never as
            # Python objects: a batch of hostile records costs bounded memory.
            rejected = con.sql(
                "SELECT source_object AS source, source_index AS position, "
                f"quarantine_reason AS reason, left(raw, {EXCERPT_CHARS}) AS excerpt "
                f"FROM {BATCH_TABLE} WHERE quarantine_reason IS NOT NULL"
            ).to_arrow_reader(50_000)
            self.state.record_batch(
                self.run_id,
                [(f, int(per_file.get(f.uri, 0))) for f in files],
                quarantine,
                rejected,
            )
            matches = conflict_matches(con) if conflicts else []
            clock.add("record", time.perf_counter() - recording)
        summary.files = len(files)
        summary.bytes_read = sum(f.size for f in files)
        summary.events_written = written
        summary.duplicates = good - written - conflicts
        summary.quarantined = len(quarantine) + summary.records - good + conflicts
        return Committed(summary, matches)

    def record(
        self, files: Sequence[tuple[SourceFile, int]], quarantine: Sequence[QuarantineEntry]
    ) -> IngestSummary:
        """Record files and quarantined input without a batch (the end of an isolation)."""
        summary = IngestSummary()
        with self._lock, self.lake.writing():
            stored = self._stored_meanwhile([f for f, _ in files])
            if stored:
                quarantine = [
                    q for q in quarantine if not any(belongs_to(q.source, f.uri) for f in stored)
                ]
                files = [(f, n) for f, n in files if f not in stored]
                summary.files_skipped[SkipReason.ALREADY_INGESTED.value] += len(stored)
            self.state.record_batch(self.run_id, files, quarantine)
        summary.files = len(files)
        summary.bytes_read = sum(f.size for f, _ in files)
        summary.quarantined = len(quarantine)
        return summary

    def _stored_meanwhile(self, files: Sequence[SourceFile]) -> list[SourceFile]:
        """Those of ``files`` the ingest ledger now holds as they are (another ingest's)."""
        if not files:
            return []
        known = self.state.known_files([f.uri for f in files])
        return [f for f in files if known.get(f.uri) == (f.size, f.mtime)]

    def _forget(
        self,
        con: duckdb.DuckDBPyConnection,
        quarantine: Sequence[QuarantineEntry],
        files: Sequence[SourceFile],
    ) -> list[QuarantineEntry]:
        """Drop the rows and quarantine entries of ``files`` from the batch."""
        uris = [f.uri for f in files]
        con.execute(
            f"DELETE FROM {BATCH_TABLE} WHERE list_contains(?, source_object) "
            "OR list_contains(?, regexp_extract(source_object, '^(.*):[0-9]+$', 1))",
            [uris, uris],
        )
        return [q for q in quarantine if not any(belongs_to(q.source, u) for u in uris)]
