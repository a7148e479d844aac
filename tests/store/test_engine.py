"""The query engine's connection: confined to the lake, with state copied in, not attached."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.errors import QueryError
from trailhound.ingest import Ingestor
from trailhound.query import compile_query
from trailhound.store.engine import QueryEngine
from trailhound.store.lake import ParquetLake


@pytest.fixture
def engine(tmp_path: Path, data_dir: DataDir) -> QueryEngine:
    write_log(tmp_path / "logs", [make_record(i) for i in range(4)])
    (tmp_path / "logs" / "broken.json").write_text("{not json")
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    return QueryEngine(data_dir)


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "credentials.csv"
    secret.parent.mkdir()
    secret.write_text("user,key\nalice,AKIAOUTSIDE\n")
    return secret


ESCAPES = [
    "SELECT * FROM read_text({path})",
    "SELECT * FROM read_blob({path})",
    "SELECT * FROM read_csv({path})",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/proc/self/environ')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM glob({folder})",
    "SELECT * FROM read_text({lake} || '/../../state.duckdb')",
    "SELECT * FROM read_json('http://169.254.169.254/latest/meta-data/')",
]
STATEMENTS = [
    "ATTACH {path} AS other",
    "ATTACH {state} AS state2 (READ_ONLY)",
    "INSTALL httpfs",
    "LOAD httpfs",
    "COPY (SELECT 1) TO {written}",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
    "RESET lock_configuration",
]


def _fill(sql: str, tmp_path: Path, data_dir: DataDir, secret: Path) -> str:
    def quoted(p: Path) -> str:
        return "'" + str(p).replace("'", "''") + "'"

    return sql.format(
        path=quoted(secret),
        folder=quoted(secret.parent / "*"),
        lake=quoted(data_dir.events),
        state=quoted(data_dir.state_db),
        written=quoted(tmp_path / "written.csv"),
    )


def test_raw_sql_cannot_leave_the_lake(
    tmp_path: Path, data_dir: DataDir, engine: QueryEngine
) -> None:
    secret = _outside(tmp_path)
    with engine:
        for template in ESCAPES + STATEMENTS:
            # The connection itself refuses, whatever check comes before it.
            with pytest.raises(QueryError):
                engine.execute(_fill(template, tmp_path, data_dir, secret))
        for template in ESCAPES:
            with pytest.raises(QueryError):
                engine.execute_read_only(_fill(template, tmp_path, data_dir, secret))
        assert not (tmp_path / "written.csv").exists()
        # Everything inside the store still answers.
        assert engine.execute_read_only("SELECT count(*) FROM cloudtrail")[1] == [(4,)]
        assert engine.execute_read_only("SELECT count(*) FROM cloud_audit_logs")[1] == [(4,)]
        assert engine.execute_read_only("SELECT count(*) FROM quarantine")[1] == [(1,)]
        lake_file = ParquetLake(data_dir).files()[0]
        _, rows = engine.execute_read_only(
            f"SELECT count(*) FROM read_parquet('{lake_file}')"  # a lake file by its path
        )
        assert rows[0][0] > 0
        engine.refresh()  # a new snapshot still binds under the locked configuration
        assert engine.execute("SELECT count(*) FROM cloudtrail")[1] == [(4,)]


def test_spill_files_stay_in_the_data_directory(data_dir: DataDir, engine: QueryEngine) -> None:
    with engine:
        [(folder,)] = engine.execute("SELECT current_setting('temp_directory')")[1]
    assert Path(folder).is_relative_to(data_dir.root)
    assert not Path(folder).exists()  # removed with the engine


def test_state_tables_are_copied_when_named_and_never_held(
    tmp_path: Path, data_dir: DataDir, engine: QueryEngine
) -> None:
    with engine:
        engine.execute("SELECT count(*) FROM cloudtrail")
        engine.execute(compile_query("comp count() as n by eventName | filter n > 1").expression)
        assert engine._loaded == set()  # an events query never opens the state database
        assert engine._absent == set()  # nor looks there for its own steps
        assert engine.execute("SELECT count(*) FROM ingested_files")[1] == [(2,)]
        assert "ingested_files" in engine._loaded
        # While the engine is open, the state database is free for a writer in this process
        # too (DuckDB refuses a read-write open of a file this process has open read-only).
        writer = duckdb.connect(str(data_dir.state_db))
        writer.execute("DELETE FROM ingested_files")
        writer.close()
        # The engine answers from its snapshot.
        assert engine.execute("SELECT count(*) FROM ingested_files")[1] == [(2,)]


def test_sql_sqlglot_cannot_read_copies_every_state_table(engine: QueryEngine) -> None:
    with engine:
        # Whatever DuckDB makes of it, the tables it might name are there first.
        with pytest.raises(QueryError):
            engine.execute("SELECT count(*) FROM quarantine WHERE (")
        assert {"quarantine", "ingested_files", "ingest_runs", "settings"} <= engine._loaded


def test_sql_nested_too_deeply_is_a_query_error(engine: QueryEngine) -> None:
    with engine:
        with pytest.raises(QueryError, match="nested too deeply"):
            engine.execute_read_only("SELECT " + "(" * 3000 + "1" + ")" * 3000)
        with pytest.raises(QueryError):
            engine.execute_read_only("SELECT " + " + ".join(["1"] * 3000))
        with pytest.raises(QueryError, match="longer than"):
            engine.execute_read_only("SELECT 1" + " " * 300_000)
        sql = "SELECT count(*) FROM cloudtrail WHERE " + " OR ".join(
            f"event_id = 'e{i}'" for i in range(2000)
        )
        assert engine.execute_read_only(sql)[1] == [(0,)]


def test_state_database_is_created_private(data_dir: DataDir) -> None:
    previous = os.umask(0o022)  # as a library user's process might have it
    try:
        with QueryEngine(data_dir) as engine:
            engine.execute("SELECT count(*) FROM quarantine")
    finally:
        os.umask(previous)
    assert data_dir.state_db.stat().st_mode & 0o777 == 0o600
    assert data_dir.root.stat().st_mode & 0o777 == 0o700
