"""The DuckDB backend: queries over a DuckDB connection that sees the lake's ``cloudtrail`` view.

``DuckDBBackend.open(data_dir)`` lists the lake's files (and the intel enrichment's) now and
reads that snapshot, as a hunt needs; ``DuckDBBackend(con)`` runs on a connection someone else
owns (an ingest batch's, whose ``new_events`` a detector reads), and leaves it open when closed.
Either way it runs DuckDB SQL text; the query stage renders compiled trees for it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import ClassVar

import duckdb
import pyarrow as pa

from trailhound.data_dir import DataDir
from trailhound.store.base import QueryResult
from trailhound.store.enrichment import EnrichmentFiles, with_enrichment_sql
from trailhound.store.lakes import open_lake


class DuckDBBackend:
    """A store backend on one DuckDB connection."""

    name: ClassVar[str] = "duckdb"
    dialect: ClassVar[str] = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, *, owned: bool = False) -> None:
        self.con = con
        self.owned = owned  # close the connection with the backend

    @classmethod
    def open(
        cls, data_dir: DataDir, partitions: Iterable[tuple[str, str]] | None = None
    ) -> DuckDBBackend:
        """A connection of its own with ``cloudtrail`` over a snapshot of the lake's files (of
        the given ``(YYYY-MM-DD, account)`` partitions only, when given)."""
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            # The same view as a query's: the events with their src_* intel fields (the
            # enrichment table stays in the data directory, wherever the lake lives).
            scan = open_lake(data_dir).relation(con, partitions)
            enrichment = EnrichmentFiles(data_dir).scan_sql()
            con.execute("CREATE VIEW cloudtrail AS " + with_enrichment_sql(scan, enrichment))
        except BaseException:
            con.close()
            raise
        return cls(con, owned=True)

    def execute(self, query: str, params: Sequence[object] = ()) -> QueryResult:
        """Run one query (DuckDB SQL text)."""
        cursor = self.con.execute(query, list(params))
        return QueryResult([d[0] for d in cursor.description or []], cursor.fetchall())

    def execute_arrow(self, query: str, params: Sequence[object] = ()) -> pa.Table:
        """Run one query (DuckDB SQL text); its result as an Arrow table (no Python object per
        row)."""
        # ``execute``, not ``sql``: the connection may be an ingest batch's, with a result of
        # its own still open, which only ``execute`` supersedes. The copy this makes is of the
        # matching rows only.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning)
            table: pa.Table = self.con.execute(query, list(params)).to_arrow_table()
        return table

    def close(self) -> None:
        """Close the connection if this backend opened it."""
        if self.owned:
            self.con.close()

    def __enter__(self) -> DuckDBBackend:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
