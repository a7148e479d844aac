"""Keep the per-address enrichment table in step with the lake and with the lists in force.

After each ingest commit (under the data directory's write lock) :class:`IpEnricher` looks up the
batch's source addresses the table does not hold yet and adds them as one part. When the lists in
force are not the ones the table was computed with (a list was replaced, or a new release ships
new defaults) it rebuilds the table whole from every distinct address in the lake, so a replaced
list changes the answer for old events as well as new ones. :func:`update_lists` is what
``trailhound intel update`` runs: install the files, rebuild, report the retro-hunt markers.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from trailhound.data_dir import DataDir
from trailhound.errors import TrailhoundError
from trailhound.intel.lookup import IntelTables
from trailhound.intel.versions import IntelVersion, install, note_shipped_changes
from trailhound.schema import ENRICHMENT_COLUMNS
from trailhound.store.enrichment import PENDING, EnrichmentFiles, Generation, table_schema
from trailhound.store.lakes import open_lake

log = logging.getLogger(__name__)
BATCH_ROWS = "batch_intel_rows"  # a batch's enrichment rows, on the batch's connection


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What a rebuild of the enrichment table did."""

    addresses: int
    intel_version: str


class IpEnricher:
    """Adds each committed batch's new source addresses to the enrichment table.

    One per ingest: it keeps the lists and the table's rows in a private DuckDB connection, and
    reloads them when another process changed the table meanwhile. After each batch it also
    gives the batch's rows their ``src_*`` fields (:meth:`enriched_view`), so that detection on
    the batch reads the same columns as a query of the lake.
    """

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir
        self.files = EnrichmentFiles(data_dir)
        self.tables: IntelTables | None = None
        self._known = duckdb.connect()
        self._known.execute("SET threads = 2")
        self._known.register("empty_rows", table_schema().empty_table())
        self._known.execute("CREATE TABLE known AS SELECT * FROM empty_rows")
        self._known.unregister("empty_rows")
        self._known_generation: str | None = None
        self._known_files: set[Path] = set()
        self.seconds = 0.0  # spent enriching batches (bench/enrich.py reads it)
        # Addresses of batches committed since the last flush, when enrichment is deferred.
        self._deferred: set[str] = set()
        self._deferred_marked = False
        self._deferred_mark: str | None = None  # the mark this enricher put on the table
        self._deferred_version: str | None = None  # the version the mark replaced

    def close(self) -> None:
        """Release the connections."""
        if self.tables is not None:
            self.tables.close()
        self._known.close()

    def _load_tables(self) -> IntelTables:
        """(Re)load the lists in force."""
        if self.tables is not None:
            self.tables.close()
        self.tables = IntelTables.load(self.data_dir)
        return self.tables

    def add_batch(self, con: duckdb.DuckDBPyConnection, relation: str) -> int:
        """Enrich the new addresses of a committed batch; returns how many were added.

        The caller holds the write lock. ``relation`` names a table or view of ``con`` with a
        ``source_ip_address`` column (a name the caller chose, not user input).
        """
        batch = _distinct_addresses(con, relation)
        added = self._add(batch)
        # Registered on the batch's own connection: the next batch may commit before this
        # one's detection runs.
        self._known.register("batch_ips", batch)
        try:
            con.register(
                BATCH_ROWS,
                self._known.sql(
                    "SELECT * FROM known WHERE source_ip_address IN (SELECT ip FROM batch_ips)"
                ).to_arrow_table(),
            )
        finally:
            self._known.unregister("batch_ips")
        return added

    def defer_batch(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        """Remember a committed batch's addresses for :meth:`flush_deferred` (no one reads the
        batch's ``src_*`` fields before then: an ingest without detection).

        The caller holds the write lock. The first deferred batch marks the table as waiting
        for this enricher (:data:`PENDING`): if the process dies before the flush, the next
        enriching writer finds the mark and rebuilds the table whole, so no address is lost.
        """
        started = time.perf_counter()
        try:
            if not self._deferred_marked:
                generation = self.files.current()
                if generation is not None and not generation.intel_version.startswith(PENDING):
                    self._deferred_mark = f"{PENDING}{uuid.uuid4().hex[:12]}"
                    self._deferred_version = generation.intel_version
                    self.files.set_version(self._deferred_mark)
                self._deferred_marked = True
            rows = con.execute(
                f"SELECT DISTINCT source_ip_address FROM {relation} "
                "WHERE source_ip_address IS NOT NULL"
            ).fetchall()
            self._deferred.update(str(row[0]) for row in rows)
        except (TrailhoundError, duckdb.Error, OSError) as error:
            # The batch is in the lake already: the table is rebuilt later instead.
            log.warning("intel enrichment of a batch failed, rebuilt later: %s", error)
            self.files.mark_stale()
        finally:
            self.seconds += time.perf_counter() - started

    @property
    def deferring(self) -> bool:
        """Whether :meth:`defer_batch` holds addresses back (or marked the table) since the
        last flush."""
        return self._deferred_marked

    def flush_deferred(self) -> int:
        """Enrich every address :meth:`defer_batch` remembered, at once; returns how many were
        added. The caller holds the write lock; a failure logs and leaves the table stale."""
        if not self._deferred_marked:
            return 0
        started = time.perf_counter()
        addresses, self._deferred = self._deferred, set()
        mark, version = self._deferred_mark, self._deferred_version
        self._deferred_marked, self._deferred_mark, self._deferred_version = False, None, None
        try:
            generation = self.files.current()
            # Still our mark: the table lacks only our addresses. Anything else (another
            # writer rebuilt it, or marked it stale) is settled as any batch's would be.
            if mark is not None and generation is not None and generation.intel_version == mark:
                assert version is not None
                self.files.set_version(version)
            batch = pa.table({"ip": pa.array(sorted(addresses), pa.string())})
            return self._add(batch)
        except (TrailhoundError, duckdb.Error, OSError, pa.ArrowException) as error:
            log.warning("intel enrichment of the run's addresses failed, rebuilt later: %s", error)
            self.files.mark_stale()
            return 0
        finally:
            self.seconds += time.perf_counter() - started

    def _add(self, batch: pa.Table) -> int:
        """Add the rows of the addresses in ``batch`` (one ``ip`` column) the table lacks."""
        generation, files = self.files.snapshot()
        tables = self.tables
        added = 0
        if tables is None or generation is None or generation.intel_version != tables.version:
            # First batch, or another process replaced the lists: read them again; if the
            # table was computed with other lists than those in force, it is rebuilt whole.
            tables = self._load_tables()
            if generation is None or generation.intel_version != tables.version:
                added = self._rebuild_with(tables, generation).addresses
                generation, files = self.files.snapshot()
        if generation is None:
            return added
        self._refresh_known(generation, files)
        self._known.register("batch_ips", batch)
        try:
            new = self._known.sql(
                "SELECT ip FROM batch_ips ANTI JOIN known ON ip = source_ip_address"
            ).to_arrow_table()
        finally:
            self._known.unregister("batch_ips")
        if new.num_rows:
            rows = tables.enrich(new.column("ip").combine_chunks())
            written = self.files.append(rows)
            self._remember(rows)
            if written is not None and written.exists():
                self._known_files.add(written)
            else:  # the parts were merged into a new generation: list again next time
                self._known_generation = None
            added += rows.num_rows
        return int(added)

    def add_batch_safely(self, con: duckdb.DuckDBPyConnection, relation: str) -> int:
        """:meth:`add_batch`, but a failure only logs and leaves the table to be rebuilt.

        The batch is in the lake already: failing its commit over the enrichment would have it
        split and retried for nothing. The next batch (or ``trailhound intel rebuild``) rebuilds
        the table whole, so no address is left out for good.
        """
        started = time.perf_counter()
        try:
            return self.add_batch(con, relation)
        except (TrailhoundError, duckdb.Error, OSError, pa.ArrowException) as error:
            log.warning("intel enrichment of a batch failed, rebuilt later: %s", error)
            self.files.mark_stale()
            return 0
        finally:
            self.seconds += time.perf_counter() - started

    @staticmethod
    def enriched_view(con: duckdb.DuckDBPyConnection, relation: str, view: str) -> str:
        """Create temp view ``view``: ``relation`` plus the ``src_*`` columns; returns its name.

        The fields are those :meth:`add_batch` registered on ``con`` for the batch (NULLs where
        it did not run). Names are the caller's constants, not user input.
        """
        known = {str(r[0]) for r in con.execute("SELECT name FROM (SHOW TABLES)").fetchall()}
        if BATCH_ROWS not in known:
            con.register(BATCH_ROWS, table_schema().empty_table())
        fields = ", ".join(f"i.{c.name}" for c in ENRICHMENT_COLUMNS)
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT e.*, {fields} FROM {relation} AS e "
            f"LEFT JOIN {BATCH_ROWS} AS i ON e.source_ip_address = i.source_ip_address"
        )
        return view

    @staticmethod
    def drop_view(con: duckdb.DuckDBPyConnection, view: str) -> None:
        """Remove what :meth:`enriched_view` and :meth:`add_batch` left on ``con``."""
        con.execute(f"DROP VIEW IF EXISTS {view}")
        with contextlib.suppress(duckdb.Error):
            con.unregister(BATCH_ROWS)

    def _remember(self, rows: pa.Table) -> None:
        self._known.register("added_rows", rows)
        try:
            self._known.execute("INSERT INTO known SELECT * FROM added_rows")
        finally:
            self._known.unregister("added_rows")

    def _refresh_known(self, generation: Generation, files: list[Path]) -> None:
        """Load the rows of parts written since this enricher last looked."""
        if generation.name != self._known_generation:
            self._known.execute("DELETE FROM known")
            self._known_files = set()
            self._known_generation = generation.name
        unseen = [f for f in files if f not in self._known_files]
        if unseen:
            columns = ", ".join(table_schema().names)
            self._known.execute(
                f"INSERT INTO known SELECT {columns} FROM read_parquet(?)",
                [[str(f) for f in unseen]],
            )
            self._known_files.update(unseen)

    def rebuild(self) -> RebuildSummary:
        """Recompute the whole table from every distinct source address in the lake."""
        with open_lake(self.data_dir).writing():
            return self._rebuild_with(self._load_tables(), self.files.current())

    def _rebuild_with(self, tables: IntelTables, old: Generation | None) -> RebuildSummary:
        lake = open_lake(self.data_dir)  # on disk or on S3: the addresses of every event
        with lake.writing():
            with duckdb.connect() as con:
                con.execute("SET TimeZone = 'UTC'")
                addresses = con.sql(
                    f"SELECT DISTINCT source_ip_address AS ip FROM {lake.relation(con)} "
                    "WHERE source_ip_address IS NOT NULL"
                ).to_arrow_table()
            rows = tables.enrich(addresses.column("ip").combine_chunks())
            lists = {name: v.version for name, v in tables.versions.items()}
            generation = self.files.replace(rows, tables.version, lists)
            if old is not None:
                note_shipped_changes(self.data_dir, old.lists, tables.versions)
            self._known_generation = None
        log.info(
            "enrichment table rebuilt: %d addresses, intel version %s",
            rows.num_rows,
            generation.intel_version,
        )
        return RebuildSummary(rows.num_rows, generation.intel_version)


def _distinct_addresses(con: duckdb.DuckDBPyConnection, relation: str) -> pa.Table:
    """The distinct non-null ``source_ip_address`` values of ``relation``, as an ``ip`` column."""
    return con.sql(
        f"SELECT DISTINCT source_ip_address AS ip FROM {relation} "
        "WHERE source_ip_address IS NOT NULL"
    ).to_arrow_table()


def update_lists(data_dir: DataDir, files: Mapping[str, Path | None]) -> list[IntelVersion]:
    """Install list files (None: back to the shipped default), then rebuild the table once.

    Everything happens under the write lock, so an ingest running meanwhile commits either
    before (and its addresses are rebuilt) or after (and it sees the new lists).
    """
    with open_lake(data_dir).writing():
        installed = install(data_dir, dict(files))
        enricher = IpEnricher(data_dir)
        try:
            enricher.rebuild()
        finally:
            enricher.close()
    return installed


def rebuild_enrichment(data_dir: DataDir) -> RebuildSummary:
    """Recompute the enrichment table with the lists in force."""
    enricher = IpEnricher(data_dir)
    try:
        return enricher.rebuild()
    finally:
        enricher.close()
