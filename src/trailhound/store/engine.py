"""The query engine: a sandboxed in-memory DuckDB connection with one view per dataset.

``cloudtrail`` reads a snapshot of the Parquet lake's files taken when the engine opens (so
queries run while an ingest or a compaction writes, and several processes can query at once),
joined on ``source_ip_address`` with the intel enrichment table (``store.enrichment``: the
``src_*`` columns; a query that names none of them skips the join);
``cloud_audit_logs`` presents the same events under source-neutral names aligned to OCSF API
Activity. ``quarantine`` and the other state tables are copied from the state database into
this connection the first time a query names them: the state database is open only for that
copy, never while a query scans, so a long query never keeps an ingest from writing. Secret
columns (``tables.SECRET_COLUMNS``) are never copied.

Once the views exist the connection is locked down: no file outside the lake (and its own
spill folder) can be read or written, no database attached, no extension installed or loaded,
and the configuration cannot be changed back, so the raw SQL of ``trailhound sql`` stays inside
the store.
"""

from __future__ import annotations

import shutil
import time
import uuid
from typing import TYPE_CHECKING, Any

import duckdb

from trailhound.data_dir import DataDir
from trailhound.errors import QueryError, StoreError
from trailhound.schema import EVENT_COLUMNS
from trailhound.store.lakes import open_lake
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pyarrow as pa
    from sqlglot import exp

LAKE_VIEWS = frozenset({"cloudtrail", "cloud_audit_logs"})
MAX_SQL_CHARS = 256 * 1024
_REFRESH_ATTEMPTS = 5


def _snapshot_gone(error: duckdb.Error) -> bool:
    """Whether a query failed on a file of its snapshot that is gone: DuckDB's own read of a
    local file says so with an IO error, an Arrow dataset's read (an S3 lake) as bad input."""
    if isinstance(error, duckdb.IOException):
        return True
    text = str(error)
    return isinstance(error, duckdb.InvalidInputException) and (
        "Path does not exist" in text or "No such file or directory" in text
    )


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
        self.lake = open_lake(data_dir)
        self.state = StateDB(data_dir.state_db)
        self._loaded: set[str] = set()  # state tables copied into the connection
        self._absent: set[str] = set()  # names a query read that the state database lacks
        # DuckDB spills here, inside the data directory, rather than into the working folder.
        self._spill = data_dir.tmp / f"query-{uuid.uuid4().hex[:12]}"
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute("SET temp_directory = ?", [str(self._spill)])
        self.refresh()
        self._lock_down()

    def _lock_down(self) -> None:
        """Confine the connection to the lake: no other files, databases, extensions or network."""
        for statement in (
            "SET python_enable_replacements = false",
            "SET autoinstall_known_extensions = false",
            "SET autoload_known_extensions = false",
            "SET allow_community_extensions = false",
            "SET allowed_directories = ?",
            "SET enable_external_access = false",
            "SET lock_configuration = true",
        ):
            readable = [self.data_dir.events, self.data_dir.ip_enrichment]
            params = [[str(p) + "/" for p in readable]] if "?" in statement else []
            self.con.execute(statement, params)

    def refresh(self) -> None:
        """(Re)create the dataset views over a new snapshot of the lake's files."""
        for attempt in range(_REFRESH_ATTEMPTS):
            try:
                # Binding the view reads every file's schema: one compacted away since the
                # listing fails it, and a new listing no longer has it.
                self.con.execute(f"CREATE OR REPLACE VIEW cloudtrail AS {self._cloudtrail_sql()}")
                self.con.execute(
                    f"CREATE OR REPLACE VIEW cloud_audit_logs AS {cloud_audit_logs_sql()}"
                )
                return
            except duckdb.IOException as error:
                if attempt == _REFRESH_ATTEMPTS - 1:
                    raise StoreError(f"cannot read the lake: {error}") from error
                time.sleep(0.05 * attempt)

    def _cloudtrail_sql(self) -> str:
        """The events of the snapshot with what the intel lists say about their source."""
        # Imported here: the enrichment module loads pyarrow, which a query does not need.
        from trailhound.store.enrichment import EnrichmentFiles, with_enrichment_sql

        scan = self.lake.relation(self.con)
        return with_enrichment_sql(scan, EnrichmentFiles(self.data_dir).scan_sql())

    def _load_state(self, names: set[str] | None) -> None:
        """Copy the state tables among ``names`` (None: all) into this connection's memory."""
        known = LAKE_VIEWS | self._loaded | self._absent
        wanted = None if names is None else {n.lower() for n in names} - known
        if wanted is not None and not wanted:
            return
        copies = self.state.queryable_tables(wanted)
        for name, copy in copies.items():
            if name not in self._loaded:
                self.con.register(name, copy)
                self._loaded.add(name)
        if wanted is not None:  # the names that are not state: don't look again
            self._absent |= wanted - {n.lower() for n in copies}

    def close(self) -> None:
        """Release the connection and its spill folder."""
        self.con.close()
        shutil.rmtree(self._spill, ignore_errors=True)

    def __enter__(self) -> QueryEngine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def execute(
        self,
        query: str | exp.Expr,
        params: list[Any] | None = None,
        *,
        tables: Iterable[str] | None = None,
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a query; returns column names and rows. ``tables``, when the caller knows them,
        are the tables it reads (else they are read off the query, which needs sqlglot)."""
        try:
            sql = query if isinstance(query, str) else query.sql(dialect="duckdb")
        except RecursionError as error:
            raise QueryError("query too large or too deeply nested to run") from error
        self._load_state(set(tables) if tables is not None else table_names(query))
        return self._run(sql, params or [])

    def arrow(self, query: exp.Expr) -> pa.Table:
        """Run a query; returns its rows as an Arrow table."""
        try:
            sql = query.sql(dialect="duckdb")
        except RecursionError as error:
            raise QueryError("query too large or too deeply nested to run") from error
        self._load_state(table_names(query))
        try:
            return self.con.sql(sql).to_arrow_table()
        except duckdb.Error as error:
            raise QueryError(f"query failed: {error}") from error

    def _run(self, sql: str, params: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        for attempt in range(_REFRESH_ATTEMPTS):
            try:
                cursor = self.con.execute(sql, params)
                break
            except duckdb.Error as error:
                # A file of the snapshot was compacted away since: take a new snapshot.
                if not _snapshot_gone(error) or attempt == _REFRESH_ATTEMPTS - 1:
                    raise QueryError(f"query failed: {error}") from error
                time.sleep(0.05 * attempt)
                self.refresh()
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()

    def execute_read_only(
        self, sql: str, *, limit: int | None = None, offset: int = 0
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run user SQL after checking that every statement only reads.

        With ``limit``, a query's rows are read a page at a time: ``offset`` rows skipped, at
        most ``limit`` returned (the statement is wrapped as a subquery, not edited as text).
        """
        import sqlglot
        from sqlglot import exp

        if len(sql) > MAX_SQL_CHARS:
            raise QueryError(f"SQL longer than {MAX_SQL_CHARS:,} characters")
        try:
            parsed = sqlglot.parse(sql, dialect="duckdb")
        except sqlglot.errors.SqlglotError as error:  # a parse or a tokenizer error
            raise QueryError(f"SQL syntax error: {error}") from error
        except RecursionError as error:
            raise QueryError("SQL nested too deeply") from error
        statements = [s for s in parsed if s is not None]
        if len(statements) != 1:
            raise QueryError("give exactly one SQL statement")
        statement = statements[0]
        read_only = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Describe)
        write = (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Copy)
        try:
            writes = any(isinstance(node, write) for node in statement.walk())
        except RecursionError as error:
            raise QueryError("SQL nested too deeply") from error
        if not isinstance(statement, read_only) or writes:
            raise QueryError("only read-only SQL (SELECT, WITH … SELECT, DESCRIBE) is allowed")
        self._load_state(table_names(statement))
        if limit is None or isinstance(statement, exp.Describe):
            return self._run(sql, [])
        page = exp.select("*").from_(statement.subquery("page")).limit(limit).offset(offset)
        return self._run(page.sql(dialect="duckdb"), [])


def table_names(query: str | exp.Expr) -> set[str] | None:
    """The unqualified table names a query reads; None if it cannot be told (load them all)."""
    import sqlglot
    from sqlglot import exp

    if isinstance(query, str):
        try:
            parsed = sqlglot.parse(query, dialect="duckdb")
        except (sqlglot.errors.SqlglotError, RecursionError):
            return None
        trees: list[exp.Expr] = [p for p in parsed if p is not None]
    else:
        trees = [query]
    try:
        tables = {t.name for tree in trees for t in tree.find_all(exp.Table) if not t.db}
        ctes = {c.alias for tree in trees for c in tree.find_all(exp.CTE)}
    except RecursionError:
        return None
    return {name for name in tables - ctes if name}
