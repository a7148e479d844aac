"""The state database: a small DuckDB file for everything that is not an event.

Its tables (quarantine, the ingest and completeness ledgers, settings, integrations, alerts…) are
declared in :mod:`trailhound.tables`; every connection finds them all in place. DuckDB lets one
process write a database file at a time, so every operation opens the file briefly and retries
while another process holds it; events never go through here, so queries over the lake are never
blocked. The query engine copies the tables it needs and closes the file before it scans.

Secrets never live here (see ``store.secrets``); a secret column (``tables.SECRET_COLUMNS``)
holds at most what an older version stored, and the query engine never copies it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from trailhound.errors import StoreError
from trailhound.tables import SECRET_COLUMNS, TABLES, Table

if TYPE_CHECKING:
    import pyarrow as pa

    from trailhound.model import QuarantineEntry, SourceFile

# The database files whose tables this process has created: the statements are idempotent,
# but running them on every short-lived connection costs time.
_CREATED: set[Path] = set()
# Connections of one process to one file share a database instance, torn down when the last one
# closes. A thread opening a connection while another closes the last one can get an instance
# half torn down (its Python table functions gone: "python_arrow_scan does not exist"), so
# opening and closing take turns within the process; queries still run side by side.
_OPEN_CLOSE = threading.Lock()
EXCERPT_CHARS = 240
LOCK_TIMEOUT_SECONDS = 60.0
# A settings key: the last migration run on the file (see ``_migrate``).
_VERSION_KEY = "state-version"
_VERSION = 5
_SEEN_COLUMNS = ", ".join(TABLES["log_files_seen"].column_names)
_SEEN_UPSERT_HEAD = f"INSERT OR REPLACE INTO log_files_seen ({_SEEN_COLUMNS})"


def _upsert_seen(con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[object, ...]]) -> None:
    """Insert or replace ``log_files_seen`` rows in one statement (row by row costs ~7 ms each)."""
    import pyarrow as pa  # only writers pay for it: a query's start-up does not

    names = TABLES["log_files_seen"].column_names
    last = list({row[0]: row for row in rows}.values())  # one statement updates a row once
    table = pa.table({name: [row[i] for row in last] for i, name in enumerate(names)})
    con.register("seen_rows", table)
    try:
        con.execute(f"{_SEEN_UPSERT_HEAD} SELECT {_SEEN_COLUMNS} FROM seen_rows")
    finally:
        con.unregister("seen_rows")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_sql(table: Table) -> str:
    """The ``CREATE TABLE IF NOT EXISTS`` statement of a declared table.

    >>> from trailhound.tables import SETTINGS
    >>> create_sql(SETTINGS)
    'CREATE TABLE IF NOT EXISTS "settings" ("key" VARCHAR, "value" VARCHAR, PRIMARY KEY ("key"))'
    """
    parts = [
        f"{_quoted(c.name)} {c.type}" + (f" DEFAULT {c.default}" if c.default else "")
        for c in table.columns
    ]
    if table.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(_quoted(c) for c in table.primary_key)})")
    return f"CREATE TABLE IF NOT EXISTS {_quoted(table.name)} ({', '.join(parts)})"


def log_file_row(
    uri: str, size: int, mtime: float | None, sha256: str | None, seen_at: datetime
) -> tuple[object, ...] | None:
    """A ``log_files_seen`` row, or None when ``uri`` names no CloudTrail log file."""
    # Imported here, as in the methods below: a query's start-up reads state, never writes it.
    from trailhound.sources.names import parse_name

    name = parse_name(uri)
    if not name.is_log_file:
        return None
    return (uri, name.base, name.account, name.region, name.hour, name.timestamp, size, mtime,
            sha256, seen_at)  # fmt: skip


def _quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _is_other_mode_in_process(error: duckdb.Error) -> bool:
    """Whether a connect failed because this process holds the file read-only vs read-write."""
    return "different configuration" in str(error).lower()


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error).lower()
    return "lock" in text or "being used by another process" in text


# Files held open by ``StateDB.hold``, by file and thread: a connection there serves every
# ``connect`` of that thread meanwhile (another thread's work never uses it, so closing it at the
# end of the block never cuts a cursor it holds).
_HELD: dict[tuple[Path, int], duckdb.DuckDBPyConnection] = {}


class StateDB:
    """Short-lived connections to the state database, with the schema in place."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Keep the file open for the block: each ``connect`` in it, through any ``StateDB`` of
        this file in this process, is a cursor of one connection instead of an open and a close
        of the file (a hunt made some forty, 25 ms each). Other processes wait meanwhile, so a
        block is one unit of work (a hunt, an ingest batch's detection)."""
        key = (self.path, threading.get_ident())
        if key in _HELD:
            yield
            return
        with self.connect() as con:
            _HELD[key] = con
            try:
                yield
            finally:
                del _HELD[key]

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one unit of work; waits while another process holds the file."""
        held = _HELD.get((self.path, threading.get_ident()))
        if held is not None:
            cursor = held.cursor()  # its own transactions and temporary tables
            try:
                cursor.execute("SET TimeZone = 'UTC'")
                yield cursor
            finally:
                cursor.close()
            return
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        creating = not self.path.exists()
        if creating:
            _CREATED.discard(self.path)  # a new (or re-created) file needs its tables
            read_only = False  # create it, empty, so that readers have tables to see
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        delay = 0.02
        while True:
            try:
                with _OPEN_CLOSE:
                    con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.Error as error:
                if _is_other_mode_in_process(error):
                    # This process (a server: the API reads while its ingest loop writes) has
                    # the file open in the other mode. A reader shares the writer's open
                    # database instead (it only reads); a writer waits for the readers.
                    if read_only:
                        read_only = False
                        continue
                elif not _is_lock_error(error):
                    raise StoreError(f"cannot open state database {self.path}: {error}") from error
                if time.monotonic() > deadline:
                    raise StoreError(f"cannot open state database {self.path}: {error}") from error
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        if creating and self.path.exists():
            self.path.chmod(0o600)  # private whatever the process's umask
        try:
            con.execute("SET TimeZone = 'UTC'")
            if not read_only and self.path not in _CREATED:
                for table in TABLES.values():
                    con.execute(create_sql(table))
                _migrate(con)
                _CREATED.add(self.path)
            yield con
        finally:
            with _OPEN_CLOSE:
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
        files: Sequence[tuple[SourceFile, int]],
        quarantine: Sequence[QuarantineEntry],
        quarantine_rows: pa.RecordBatchReader | None = None,
    ) -> None:
        """Record files as stored and their quarantined input, in one transaction.

        ``files`` are ``(file, records read)``: each goes to the ingest ledger and, when its
        name is a CloudTrail log file's, to the completeness ledger (``log_files_seen``) too.
        ``quarantine_rows`` streams more quarantined input (columns ``source``, ``position``,
        ``reason``, ``excerpt``) without making Python objects of it.
        """
        import pyarrow as pa  # only writers pay for it: a query's start-up does not

        now = datetime.now(UTC)
        seen = [
            row
            for f, _ in files
            if (row := log_file_row(f.uri, f.size, f.mtime, f.sha256, now)) is not None
        ]
        with self.connect() as con:
            con.execute("BEGIN")
            if files:
                ledger = pa.table(
                    {
                        "uri": [f.uri for f, _ in files],
                        "size": pa.array([f.size for f, _ in files], pa.int64()),
                        "mtime": pa.array([f.mtime for f, _ in files], pa.float64()),
                        "run_id": [run_id] * len(files),
                        "records": pa.array([n for _, n in files], pa.int64()),
                    }
                )
                con.register("ledger_rows", ledger)
                con.execute(
                    "INSERT OR REPLACE INTO ingested_files (uri, size, mtime, run_id, records) "
                    "SELECT * FROM ledger_rows"
                )
                con.unregister("ledger_rows")
            if seen:
                _upsert_seen(con, seen)
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

    # The completeness ledger -------------------------------------------------------------
    def hash_local_log_files(self) -> int:
        """Take the SHA-256 of local log files recorded without one; returns how many.

        Ingest does not hash what DuckDB reads straight from disk (that would cost every ingest
        a second read); the ledger asks here before it checks, while the files are still there.
        Files collected from S3 come with their hash, taken while the download was on disk.
        """
        with self.connect() as con:
            rows = con.execute(
                "SELECT uri FROM log_files_seen WHERE sha256 IS NULL AND NOT contains(uri, '://')"
            ).fetchall()
        from concurrent.futures import ThreadPoolExecutor

        import pyarrow as pa

        from trailhound.sources.compression import CompressionError, file_sha256

        def digest(uri: str) -> str | None:
            path = Path(uri)
            try:
                return file_sha256(path) if path.is_file() else None
            except (OSError, CompressionError):
                return None  # damaged: the ingest quarantined it

        uris = [uri for (uri,) in rows]
        # zlib and hashlib let go of the GIL: the files are hashed on every core.
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
            digests = list(pool.map(digest, uris, chunksize=16))
        hashed = [(d, u) for d, u in zip(digests, uris, strict=True) if d is not None]
        if hashed:
            table = pa.table({"sha256": [d for d, _ in hashed], "uri": [u for _, u in hashed]})
            with self.connect() as con:
                # One statement: an UPDATE per file costs milliseconds each.
                con.register("hashed_files", table)
                try:
                    con.execute(
                        "UPDATE log_files_seen SET sha256 = h.sha256 FROM hashed_files AS h "
                        "WHERE log_files_seen.uri = h.uri"
                    )
                finally:
                    con.unregister("hashed_files")
        return len(hashed)

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

    def settings(self) -> dict[str, str]:
        """Every stored setting but the database's own bookkeeping."""
        with self.connect() as con:
            rows = con.execute(
                "SELECT key, value FROM settings WHERE key <> ? ORDER BY key", [_VERSION_KEY]
            ).fetchall()
        return {str(k): str(v) for k, v in rows}

    def delete_setting(self, key: str) -> bool:
        """Remove a setting; whether it was set."""
        with self.connect() as con:
            row = con.execute("DELETE FROM settings WHERE key = ? RETURNING key", [key]).fetchone()
        return row is not None


def _migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a state database written by an older version up to date, once per file.

    Each step runs only on a file older than its version: a file written by version 2 (the
    alert model) gets steps 3 to 5, a version-1 file steps 2 to 5, a new file all of them.
    """
    # fetchall: a result left half-read (fetchone) blocks the connection's next statement.
    rows = con.execute("SELECT value FROM settings WHERE key = ?", [_VERSION_KEY]).fetchall()
    version = int(rows[0][0]) if rows else 0
    if version >= _VERSION:
        return
    if version < 1:
        # 1: ingest now records log files in log_files_seen itself; an older version left that
        # to the ledger check, so files stored since the last check are recorded (unhashed).
        fresh = con.execute(
            "SELECT f.uri, f.size, f.mtime, f.ingested_at FROM ingested_files AS f "
            "LEFT JOIN log_files_seen AS s ON s.uri = f.uri WHERE s.uri IS NULL "
            "OR s.size IS DISTINCT FROM f.size OR s.mtime IS DISTINCT FROM f.mtime"
        ).fetchall()
        seen = [r for u, size, mtime, at in fresh if (r := log_file_row(u, size, mtime, None, at))]
        if seen:
            _upsert_seen(con, seen)
    if version < 2:
        # 2: alerts gained columns (principal, sessions, …) and every alert's events are listed
        # in alert_events; an older file's alerts keep their actor as principal.
        _add_missing_columns(con)
        con.execute("UPDATE alerts SET principal = actor WHERE principal IS NULL")
        con.execute(
            "INSERT INTO alert_events SELECT id, rule_id, unnest(event_ids), first_seen "
            "FROM alerts WHERE id NOT IN (SELECT alert_id FROM alert_events)"
        )
    if version < 3:
        # 3: ingest runs record where their time went (seconds per stage).
        con.execute("ALTER TABLE ingest_runs ADD COLUMN IF NOT EXISTS stage_seconds JSON")
    if version < 4:
        # 4: analytics alerts carry their explanation.
        con.execute("ALTER TABLE alerts ADD COLUMN IF NOT EXISTS explanation VARCHAR")
    if version < 5:
        # 5: analytics profiles and hourly volume keep their first event's ID (hunts point at it).
        _add_missing_columns(con)
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [_VERSION_KEY, str(_VERSION)])


def _add_missing_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Add every declared column an older file's tables lack."""
    present = set(
        con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main'"
        ).fetchall()
    )
    for table in TABLES.values():
        for column in table.columns:
            if (table.name, column.name) not in present:
                con.execute(
                    f"ALTER TABLE {_quoted(table.name)} ADD COLUMN {_quoted(column.name)} "
                    f"{column.type}"
                )
