"""The state database: a small DuckDB file for everything that is not an event.

Quarantine, the ingest ledger and settings live here; later stages (integrations, alerts,
profiles) register their own tables with ``register_table``. DuckDB lets one process write a
database file at a time, so every operation opens the file briefly and retries while another
process holds it; events never go through here, so queries over the lake are never blocked.
The query engine copies the tables it needs and closes the file before it scans.

Secrets never live here (see ``store.secrets``); a column named in ``SECRET_COLUMNS`` holds at
most what an older version stored, and the query engine never copies it.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from trailhound.errors import StoreError
from trailhound.model import QuarantineEntry

_TABLES: dict[str, str] = {
    "quarantine": """
        CREATE TABLE IF NOT EXISTS quarantine (
            run_id VARCHAR, source VARCHAR, position BIGINT, reason VARCHAR,
            excerpt VARCHAR, quarantined_at TIMESTAMPTZ DEFAULT now())""",
    "ingest_runs": """
        CREATE TABLE IF NOT EXISTS ingest_runs (
            run_id VARCHAR PRIMARY KEY, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ,
            files BIGINT, records BIGINT, events_written BIGINT, duplicates BIGINT,
            quarantined BIGINT, skipped JSON)""",
    "ingested_files": """
        CREATE TABLE IF NOT EXISTS ingested_files (
            uri VARCHAR PRIMARY KEY, size BIGINT, mtime DOUBLE, run_id VARCHAR,
            records BIGINT, ingested_at TIMESTAMPTZ DEFAULT now())""",
    "settings": """
        CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value VARCHAR)""",
}

# How many registered tables this process has already created in each database file: the
# statements are idempotent, but running them on every short-lived connection costs time.
_CREATED: dict[Path, int] = {}
EXCERPT_CHARS = 240
SECRET_COLUMNS = frozenset({"external_id"})
LOCK_TIMEOUT_SECONDS = 60.0


def register_table(name: str, ddl: str) -> None:
    """Add a table (``CREATE TABLE IF NOT EXISTS …``) that every state database will have."""
    _TABLES[name] = ddl


def _quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error).lower()
    return "lock" in text or "being used by another process" in text


class StateDB:
    """Short-lived connections to the state database, with the schema in place."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one unit of work; waits while another process holds the file."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        creating = not self.path.exists()
        if creating:
            _CREATED.pop(self.path, None)  # a new (or re-created) file needs its tables
            read_only = False  # create it, empty, so that readers have tables to see
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.Error as error:
                if not _is_lock_error(error) or time.monotonic() > deadline:
                    raise StoreError(f"cannot open state database {self.path}: {error}") from error
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        if creating and self.path.exists():
            self.path.chmod(0o600)  # private whatever the process's umask
        try:
            con.execute("SET TimeZone = 'UTC'")
            if not read_only and _CREATED.get(self.path) != len(_TABLES):
                for ddl in _TABLES.values():
                    con.execute(ddl)
                _CREATED[self.path] = len(_TABLES)
            yield con
        finally:
            con.close()

    # Copies for the query engines ------------------------------------------------------
    def queryable_tables(self, names: Collection[str] | None = None) -> dict[str, pa.Table]:
        """Arrow copies of the state tables among ``names`` (None: every one), without their
        secret columns; names are matched case-insensitively, absent ones left out."""
        wanted = None if names is None else {n.lower() for n in names}
        copies: dict[str, pa.Table] = {}
        with self.connect(read_only=True) as state:
            tables = {
                str(name): [str(c) for c in columns]
                for name, columns in state.execute(
                    "SELECT t.table_name, list(c.column_name ORDER BY c.column_index) "
                    "FROM duckdb_tables() AS t JOIN duckdb_columns() AS c USING (table_oid) "
                    "WHERE t.database_name = current_database() GROUP BY ALL"
                ).fetchall()
            }
            for name in sorted(tables):
                if wanted is not None and name.lower() not in wanted:
                    continue
                shown = [c for c in tables[name] if c not in SECRET_COLUMNS]
                copies[name] = state.sql(
                    f"SELECT {', '.join(_quote_name(c) for c in shown)} FROM {_quote_name(name)}"
                ).to_arrow_table()
        return copies

    # The ingest ledger -------------------------------------------------------------------
    def known_files(self, uris: Sequence[str]) -> dict[str, tuple[int, float]]:
        """``uri → (size, mtime)`` for those of ``uris`` already ingested."""
        if not uris:
            return {}
        with self.connect() as con:
            rows = con.execute(
                "SELECT uri, size, mtime FROM ingested_files WHERE uri IN "
                "(SELECT unnest(CAST(? AS VARCHAR[])))",
                [list(uris)],
            ).fetchall()
        return {uri: (size, mtime) for uri, size, mtime in rows}

    def record_batch(
        self,
        run_id: str,
        files: Sequence[tuple[str, int, float, int]],
        quarantine: Sequence[QuarantineEntry],
        quarantine_rows: pa.RecordBatchReader | None = None,
    ) -> None:
        """Record files as ingested and their quarantined input, in one transaction.

        ``quarantine_rows`` streams more quarantined input (columns ``source``, ``position``,
        ``reason``, ``excerpt``) without making Python objects of it.
        """
        with self.connect() as con:
            con.execute("BEGIN")
            if files:
                ledger = pa.table(
                    {
                        "uri": [f[0] for f in files],
                        "size": pa.array([f[1] for f in files], pa.int64()),
                        "mtime": pa.array([f[2] for f in files], pa.float64()),
                        "run_id": [run_id] * len(files),
                        "records": pa.array([f[3] for f in files], pa.int64()),
                    }
                )
                con.register("ledger_rows", ledger)
                con.execute(
                    "INSERT OR REPLACE INTO ingested_files (uri, size, mtime, run_id, records) "
                    "SELECT * FROM ledger_rows"
                )
                con.unregister("ledger_rows")
            if quarantine:
                rows = pa.table(
                    {
                        "run_id": [run_id] * len(quarantine),
                        "source": [q.source for q in quarantine],
                        "position": pa.array([q.position for q in quarantine], pa.int64()),
                        "reason": [q.reason for q in quarantine],
                        "excerpt": [q.excerpt[:EXCERPT_CHARS] for q in quarantine],
                    }
                )
                con.register("quarantine_rows", rows)
                con.execute(
                    "INSERT INTO quarantine (run_id, source, position, reason, excerpt) "
                    "SELECT * FROM quarantine_rows"
                )
                con.unregister("quarantine_rows")
            if quarantine_rows is not None:
                con.register("quarantine_stream", quarantine_rows)
                con.execute(
                    "INSERT INTO quarantine (run_id, source, position, reason, excerpt) "
                    "SELECT ?, source, position, reason, left(excerpt, ?) FROM quarantine_stream",
                    [run_id, EXCERPT_CHARS],
                )
                con.unregister("quarantine_stream")
            con.execute("COMMIT")

    def record_run(self, run_id: str, values: dict[str, Any]) -> None:
        """Insert or update the summary row of an ingest run."""
        columns = ["run_id", *values]
        placeholders = ", ".join("?" for _ in columns)
        with self.connect() as con:
            con.execute(
                f"INSERT OR REPLACE INTO ingest_runs ({', '.join(columns)}) "
                f"VALUES ({placeholders})",
                [run_id, *values.values()],
            )

    # Settings ----------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self.connect() as con:
            row = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self.connect() as con:
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])
