"""The per-address enrichment table: its Parquet files, published so that a reader sees one whole.

One row per distinct ``source_ip_address`` seen in the lake, with what the intel lists in force
said about it (``schema.ENRICHMENT_COLUMNS``) and the version of those lists. The query engine's
``cloudtrail`` view joins it; ``trailhound.intel`` computes the rows and writes them here.

Layout under ``DataDir.ip_enrichment``: ``CURRENT`` (JSON: the live generation and the intel
version its rows were computed with) and one folder per generation holding Parquet parts. A
commit adds a part with the batch's new addresses to the live generation (a rename: a reader sees
it or not); replacing the lists or merging the parts writes a new generation and swaps ``CURRENT``
under the publish lock, then removes the old folder. Readers take the listing lock while they read
``CURRENT`` and list its folder, so they never see two generations at once; a file removed after
the listing fails the query with an IO error and the engine lists again. Writers hold the data
directory's write lock. Because the join reads the table grouped by address, a duplicate row
(never written on purpose) could not multiply events, and a query that names no ``src_*`` field
skips the join altogether.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.schema import ENRICHMENT_COLUMNS
from trailhound.store.lock import WriteLock, listing, publishing

if TYPE_CHECKING:
    import pyarrow as pa

CURRENT = "CURRENT"
STALE = "stale"  # the intel version of a table that may lack addresses: rebuilt by the next writer
# The start of the version of a table an ingest holds back addresses from until it flushes them
# (``IpEnricher.defer_batch``): any other writer that finds it rebuilds, as for ``STALE``.
PENDING = "pending:"
MAX_PARTS = 32  # parts of one generation before they are merged into one


@cache
def table_schema() -> pa.Schema:
    """The enrichment table's Arrow schema (built on first use: a query needs no pyarrow)."""
    import pyarrow as pa

    types = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_()}
    return pa.schema(
        [
            ("source_ip_address", pa.string()),
            *[(c.name, types[c.sql_type]) for c in ENRICHMENT_COLUMNS],
            ("intel_version", pa.string()),
        ]
    )


def __getattr__(name: str) -> Any:
    """``TABLE_SCHEMA``, built when first asked for."""
    if name == "TABLE_SCHEMA":
        return table_schema()
    raise AttributeError(name)


@dataclass(frozen=True, slots=True)
class Generation:
    """The live set of enrichment files and the intel it was computed with."""

    name: str
    intel_version: str
    lists: dict[str, str] = field(default_factory=dict)  # list name → version
    built_at: str = ""


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def empty_sql() -> str:
    """A FROM-clause relation with the table's columns and no rows."""
    columns = ", ".join(
        f"CAST(NULL AS {sql_type}) AS {name}"
        for name, sql_type in (
            ("source_ip_address", "VARCHAR"),
            *((c.name, c.sql_type) for c in ENRICHMENT_COLUMNS),
        )
    )
    return f"(SELECT {columns} WHERE false)"


def with_enrichment_sql(events: str, enrichment: str) -> str:
    """A SELECT of ``events`` (a FROM-clause relation) with the ``src_*`` columns joined.

    ``enrichment`` is :meth:`EnrichmentFiles.scan_sql`; both are built by the store, never from
    user input.
    """
    fields = ", ".join(f"i.{c.name}" for c in ENRICHMENT_COLUMNS)
    return (
        f"SELECT e.*, {fields} FROM {events} AS e "
        f"LEFT JOIN {enrichment} AS i ON e.source_ip_address = i.source_ip_address"
    )


class EnrichmentFiles:
    """The enrichment table of one data directory."""

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir
        self.root = data_dir.ip_enrichment
        self.lock = WriteLock(data_dir.write_lock)

    # Reading -----------------------------------------------------------------------------
    def current(self) -> Generation | None:
        """The live generation, or None before the table was first built."""
        try:
            entry = orjson.loads((self.root / CURRENT).read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, orjson.JSONDecodeError) as error:
            raise StoreError(f"unreadable {self.root / CURRENT}: {error}") from error
        return Generation(
            name=str(entry["generation"]),
            intel_version=str(entry["intel_version"]),
            lists={str(k): str(v) for k, v in entry.get("lists", {}).items()},
            built_at=str(entry.get("built_at", "")),
        )

    def snapshot(self) -> tuple[Generation | None, list[Path]]:
        """The live generation and its files, read together."""
        if not self.data_dir.lake.exists():
            return None, []
        with listing(self.data_dir.publish_lock):
            generation = self.current()
            if generation is None:
                return None, []
            return generation, sorted((self.root / generation.name).glob("*.parquet"))

    def scan_sql(self) -> str:
        """A FROM-clause relation of the live rows, one per address (empty if none)."""
        _, files = self.snapshot()
        if not files:
            return empty_sql()
        source = "[" + ", ".join(_quote(f) for f in files) + "]"
        fields = ", ".join(f"any_value({c.name}) AS {c.name}" for c in ENRICHMENT_COLUMNS)
        # Grouping makes the address unique to the optimizer, which then drops the join from
        # every query that reads no enrichment column.
        return (
            f"(SELECT source_ip_address, {fields} FROM read_parquet({source}) "
            "GROUP BY source_ip_address)"
        )

    # Writing (under the data directory's write lock) -------------------------------------
    def _check_lock(self) -> None:
        if not self.lock.held():
            raise StoreError("writing the enrichment table needs the write lock")

    def append(self, rows: pa.Table) -> Path | None:
        """Add the rows of new addresses to the live generation; merge its parts past a limit."""
        self._check_lock()
        generation = self.current()
        if generation is None:
            raise StoreError("no enrichment table to add to: build it first")
        if rows.num_rows == 0:
            return None
        folder = self.root / generation.name
        target = folder / f"part-{uuid.uuid4().hex[:16]}.parquet"
        _write_parquet(rows, target)
        parts = list(folder.glob("*.parquet"))
        if len(parts) > MAX_PARTS:
            import pyarrow as pa
            import pyarrow.parquet as pq

            schema = table_schema()
            merged = pa.concat_tables([pq.read_table(p, schema=schema) for p in parts])
            self.replace(merged, generation.intel_version, generation.lists)
        return target

    def mark_stale(self) -> None:
        """Have the next writer rebuild the table (it may lack a batch's addresses)."""
        self.set_version(STALE)

    def set_version(self, intel_version: str) -> None:
        """Record another intel version for the live generation (``STALE``, a ``PENDING``
        mark, or the version a mark stood in for); its rows stay as they are."""
        self._check_lock()
        generation = self.current()
        if generation is not None:
            self._publish(
                Generation(generation.name, intel_version, generation.lists, generation.built_at)
            )

    def replace(self, rows: pa.Table, intel_version: str, lists: dict[str, str]) -> Generation:
        """Make ``rows`` the whole table, computed with ``intel_version``."""
        self._check_lock()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        generation = Generation(
            name=f"g-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
            intel_version=intel_version,
            lists=dict(lists),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        folder = self.root / generation.name
        _write_parquet(rows, folder / "part-0.parquet")
        self._publish(generation)
        return generation

    def _publish(self, generation: Generation) -> None:
        """Make ``generation`` the live one; remove every other."""
        entry = {
            "generation": generation.name,
            "intel_version": generation.intel_version,
            "lists": generation.lists,
            "built_at": generation.built_at,
        }
        partial = self.root / (CURRENT + ".partial")
        partial.write_bytes(orjson.dumps(entry, option=orjson.OPT_INDENT_2))
        with publishing(self.data_dir.publish_lock):
            partial.replace(self.root / CURRENT)
            # Anything not live is left over: the old generation, or a killed writer's.
            for stale in self.root.iterdir():
                if stale.is_dir() and stale.name != generation.name:
                    shutil.rmtree(stale, ignore_errors=True)


def _write_parquet(rows: pa.Table, target: Path) -> None:
    """Write a Parquet file that readers see whole or not at all."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    import pyarrow.parquet as pq

    pq.write_table(rows.cast(table_schema()), partial, compression="zstd")
    partial.replace(target)
