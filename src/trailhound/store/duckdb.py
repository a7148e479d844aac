"""The DuckDB backend: queries over a DuckDB connection that sees the lake's ``cloudtrail`` view.

``DuckDBBackend.open(data_dir)`` lists the lake's files now and reads that snapshot, as a hunt
needs; ``DuckDBBackend(con)`` runs on a connection someone else owns (an ingest batch's, whose
``new_events`` a detector reads), and leaves it open when closed. Either way SQL text is DuckDB's
and a compiled expression is rendered for DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import duckdb
from sqlglot import exp

from trailhound.data_dir import DataDir
from trailhound.store.base import QueryResult
from trailhound.store.lake import open_lake


class DuckDBBackend:
    """A store backend on one DuckDB connection."""

    name: ClassVar[str] = "duckdb"
    dialect: ClassVar[str] = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, *, owned: bool = False) -> None:
        self.con = con
        self.owned = owned  # close the connection with the backend

    @classmethod
    def open(cls, data_dir: DataDir) -> DuckDBBackend:
        """A connection of its own with ``cloudtrail`` over a snapshot of the lake's files."""
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            scan = open_lake(data_dir).relation(con)
            con.execute(f"CREATE VIEW cloudtrail AS SELECT * FROM {scan}")
        except BaseException:
            con.close()
            raise
        return cls(con, owned=True)

    def execute(self, query: exp.Expr | str, params: Sequence[object] = ()) -> QueryResult:
        """Run one query (DuckDB SQL text, or an expression rendered for DuckDB)."""
        sql = query if isinstance(query, str) else query.sql(dialect=self.dialect)
        cursor = self.con.execute(sql, list(params))
        return QueryResult([d[0] for d in cursor.description or []], cursor.fetchall())

    def close(self) -> None:
        """Close the connection if this backend opened it."""
        if self.owned:
            self.con.close()

    def __enter__(self) -> DuckDBBackend:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
