"""The query engine: an in-memory DuckDB connection with one view per dataset.

``cloudtrail`` reads the Parquet lake (so queries run while an ingest writes, and several
processes can query at once); ``cloud_audit_logs`` presents the same events under
source-neutral names aligned to OCSF API Activity; ``quarantine`` and the other state tables come
from the state database, attached read-only.
"""

from __future__ import annotations

import time
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from trailhound.data_dir import DataDir
from trailhound.errors import QueryError, StoreError
from trailhound.schema import EVENT_COLUMNS
from trailhound.store.lake import ParquetLake
from trailhound.store.state import StateDB

STATE_VIEWS = ("quarantine", "ingest_runs", "ingested_files")
ATTACH_TIMEOUT_SECONDS = 30.0
_READ_ONLY_STATEMENTS = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Describe)


def cloud_audit_logs_sql() -> str:
    """The SELECT behind the ``cloud_audit_logs`` view, from the schema's OCSF names."""
    columns = [f"{c.name} AS {c.ocsf}" for c in EVENT_COLUMNS if c.ocsf]
    columns += [
        "'AWS' AS cloud_provider",
        "CASE WHEN is_error THEN 'Failure' ELSE 'Success' END AS status",
        "'CloudTrail' AS metadata_product_name",
    ]
    return f"SELECT {', '.join(columns)} FROM cloudtrail"


class QueryEngine:
    """Runs queries over one data directory."""

    def __init__(self, data_dir: DataDir, *, memory_limit: str = "2GB") -> None:
        self.data_dir = data_dir
        self.lake = ParquetLake(data_dir)
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.refresh()

    def refresh(self) -> None:
        """(Re)create the dataset views, seeing files written since."""
        self.con.execute(
            f"CREATE OR REPLACE VIEW cloudtrail AS SELECT * FROM {self.lake.scan_sql()}"
        )
        self.con.execute(f"CREATE OR REPLACE VIEW cloud_audit_logs AS {cloud_audit_logs_sql()}")
        self._attach_state()

    def _attach_state(self) -> None:
        state = StateDB(self.data_dir.state_db)
        with state.connect():
            pass  # make sure the file and its tables exist
        attached = {
            row[0]
            for row in self.con.execute("SELECT database_name FROM duckdb_databases()").fetchall()
        }
        if "state" in attached:
            self.con.execute("DETACH state")
        deadline = time.monotonic() + ATTACH_TIMEOUT_SECONDS
        while True:
            try:
                self.con.execute("ATTACH ? AS state (READ_ONLY)", [str(self.data_dir.state_db)])
                break
            except duckdb.Error as error:
                if time.monotonic() > deadline:
                    raise StoreError(f"cannot read the state database: {error}") from error
                time.sleep(0.1)
        tables = {
            row[0]
            for row in self.con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'state'"
            ).fetchall()
        }
        for name in sorted(tables):
            self.con.execute(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM state."{name}"')

    def close(self) -> None:
        """Release the connection."""
        self.con.close()

    def __enter__(self) -> QueryEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def execute(
        self, query: str | exp.Expr, params: list[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a query; returns column names and rows."""
        sql = query if isinstance(query, str) else query.sql(dialect="duckdb")
        try:
            try:
                cursor = self.con.execute(sql, params or [])
            except duckdb.IOException:
                # A file listed when the views were made was compacted away since: look again.
                self.refresh()
                cursor = self.con.execute(sql, params or [])
        except duckdb.Error as error:
            raise QueryError(f"query failed: {error}") from error
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()

    def execute_read_only(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run user SQL after checking that every statement only reads."""
        try:
            statements = sqlglot.parse(sql, dialect="duckdb")
        except sqlglot.errors.ParseError as error:
            raise QueryError(f"SQL syntax error: {error}") from error
        statements = [s for s in statements if s is not None]
        if len(statements) != 1:
            raise QueryError("give exactly one SQL statement")
        statement = statements[0]
        if not isinstance(statement, _READ_ONLY_STATEMENTS) or any(
            isinstance(node, (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Copy))
            for node in statement.walk()
        ):
            raise QueryError("only read-only SQL (SELECT, WITH … SELECT, DESCRIBE) is allowed")
        return self.execute(sql)
