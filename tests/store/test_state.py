"""The state database: tables from their declarations, both ledgers written together."""

from __future__ import annotations

import doctest
import gzip
import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from trailhound.data_dir import DataDir
from trailhound.model import InputFormat, QuarantineEntry, SourceFile
from trailhound.store import state as state_module
from trailhound.store.state import StateDB, create_sql
from trailhound.tables import TABLES

FOLDER = "s3://b/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01"
LOG = f"{FOLDER}/111122223333_CloudTrail_us-east-1_20261101T1005Z_ab.json.gz"


def _file(uri: str, sha256: str | None = None, size: int = 10) -> SourceFile:
    return SourceFile(uri, Path("/nowhere"), size, 1.5, InputFormat.CLOUDTRAIL_FILE, None, sha256)


def test_doctests() -> None:
    result = doctest.testmod(state_module)
    assert result.attempted > 0 and result.failed == 0


def test_every_declared_table_is_created_as_declared(data_dir: DataDir) -> None:
    with StateDB(data_dir.state_db).connect() as con:
        found = {
            name: [(column, kind) for column, kind in columns]
            for name, columns in con.execute(
                "SELECT table_name, list((column_name, data_type) ORDER BY column_index) "
                "FROM duckdb_columns() WHERE database_name = current_database() GROUP BY ALL"
            ).fetchall()
        }
        keys = dict(
            con.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                "WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
    assert set(found) == set(TABLES)
    for table in TABLES.values():
        assert found[table.name] == [
            (c.name, c.type.replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"))
            for c in table.columns
        ]
        assert tuple(keys.get(table.name, ())) == table.primary_key


def test_a_log_file_goes_to_both_ledgers_in_one_call(data_dir: DataDir) -> None:
    state = StateDB(data_dir.state_db)
    other = "s3://b/events.jsonl"
    state.record_batch(
        "run", [(_file(LOG, "ab" * 32), 3), (_file(other), 2)], [QuarantineEntry(other, 1, "bad")]
    )
    with state.connect() as con:
        ledger = con.execute("SELECT uri, records FROM ingested_files ORDER BY uri").fetchall()
        seen = con.execute("SELECT account, region, hour, sha256 FROM log_files_seen").fetchall()
        quarantined = con.execute("SELECT source, position, reason FROM quarantine").fetchall()
    assert ledger == [(LOG, 3), (other, 2)]
    # Only the CloudTrail log file, by its name, is one the digests can list.
    assert seen == [("111122223333", "us-east-1", datetime(2026, 11, 1, 10, tzinfo=UTC), "ab" * 32)]
    assert quarantined == [(other, 1, "bad")]
    assert state.hash_local_log_files() == 0  # an S3 object's hash is the collector's to take


def test_local_log_files_are_hashed_when_the_ledger_asks(tmp_path: Path, data_dir: DataDir) -> None:
    content = b'{"Records": []}'
    path = tmp_path / "111122223333_CloudTrail_us-east-1_20261101T1005Z_cd.json.gz"
    path.write_bytes(gzip.compress(content))
    gone = tmp_path / "111122223333_CloudTrail_us-east-1_20261101T1010Z_ef.json.gz"
    state = StateDB(data_dir.state_db)
    state.record_batch("run", [(_file(str(path)), 0), (_file(str(gone)), 0)], [])
    assert state.hash_local_log_files() == 1
    assert state.hash_local_log_files() == 0  # hashed once
    with state.connect() as con:
        rows = dict(con.execute("SELECT uri, sha256 FROM log_files_seen").fetchall())
    assert rows == {str(path): hashlib.sha256(content).hexdigest(), str(gone): None}


def test_a_store_of_an_older_version_gets_its_log_files_recorded(tmp_path: Path) -> None:
    path = tmp_path / "old" / "state.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))  # as an older version left it: no log_files_seen rows
    for name in ("ingested_files", "log_files_seen", "settings"):
        con.execute(create_sql(TABLES[name]))
    stored = datetime(2026, 11, 1, 12, tzinfo=UTC)
    con.executemany(
        "INSERT INTO ingested_files VALUES (?, 10, 1.5, 'r', 3, ?)",
        [[LOG, stored], ["s3://b/events.jsonl", stored]],
    )
    con.close()
    state = StateDB(path)
    with state.connect() as con:
        seen = con.execute("SELECT uri, account, sha256, seen_at FROM log_files_seen").fetchall()
        version = con.execute("SELECT value FROM settings WHERE key = 'state-version'").fetchone()
    assert seen == [(LOG, "111122223333", None, stored)]
    assert version == ("5",)


def test_a_store_of_version_1_gets_the_stage_seconds_of_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "v1" / "state.duckdb"
    path.parent.mkdir()
    con = duckdb.connect(str(path))  # ingest_runs as version 1 declared it
    con.execute(create_sql(TABLES["settings"]))
    con.execute(create_sql(TABLES["ingested_files"]))
    con.execute(create_sql(TABLES["log_files_seen"]))
    con.execute("CREATE TABLE ingest_runs (run_id VARCHAR PRIMARY KEY, files BIGINT)")
    con.execute("INSERT INTO settings VALUES ('state-version', '1')")
    con.execute("INSERT INTO ingest_runs VALUES ('old', 3)")
    con.close()
    state = StateDB(path)
    state.record_run("new", {"files": 1, "stage_seconds": '{"load": 1.5}'})
    with state.connect() as con:
        rows = con.execute(
            "SELECT run_id, stage_seconds FROM ingest_runs ORDER BY run_id"
        ).fetchall()
        version = con.execute("SELECT value FROM settings WHERE key = 'state-version'").fetchone()
    assert rows == [("new", '{"load": 1.5}'), ("old", None)]
    assert version == ("5",)


def test_a_store_of_version_2_gets_the_stage_seconds_and_nothing_else(tmp_path: Path) -> None:
    """Version 2 (the alert model) is migrated by step 3 alone: its rows stay as they are."""
    path = tmp_path / "v2" / "state.duckdb"
    path.parent.mkdir()
    runs = TABLES["ingest_runs"]
    v2_runs = replace(runs, columns=tuple(c for c in runs.columns if c.name != "stage_seconds"))
    con = duckdb.connect(str(path))  # every table as version 2 declared it
    for table in TABLES.values():
        con.execute(create_sql(v2_runs if table.name == "ingest_runs" else table))
    con.execute("INSERT INTO settings VALUES ('state-version', '2')")
    con.execute("INSERT INTO ingest_runs (run_id, files) VALUES ('old', 3)")
    # Step 1 would record this log file in log_files_seen: version 2 already had its chance.
    con.execute("INSERT INTO ingested_files VALUES (?, 10, 1.5, 'r', 3, now())", [LOG])
    con.close()
    state = StateDB(path)
    state.record_run("new", {"files": 1, "stage_seconds": '{"write": 0.25}'})
    with state.connect() as con:
        rows = con.execute(
            "SELECT run_id, files, stage_seconds FROM ingest_runs ORDER BY run_id"
        ).fetchall()
        seen = con.execute("SELECT count(*) FROM log_files_seen").fetchone()
        version = con.execute("SELECT value FROM settings WHERE key = 'state-version'").fetchone()
    assert rows == [("new", 1, '{"write": 0.25}'), ("old", 3, None)]
    assert seen == (0,)
    assert version == ("5",)


def test_a_store_of_version_3_gets_the_alerts_explanation(tmp_path: Path) -> None:
    path = tmp_path / "v3" / "state.duckdb"
    path.parent.mkdir()
    alerts = TABLES["alerts"]
    v3_alerts = replace(alerts, columns=tuple(c for c in alerts.columns if c.name != "explanation"))
    con = duckdb.connect(str(path))  # every table as version 3 declared it
    for table in TABLES.values():
        con.execute(create_sql(v3_alerts if table.name == "alerts" else table))
    con.execute("INSERT INTO settings VALUES ('state-version', '3')")
    con.execute("INSERT INTO alerts (id, rule_id) VALUES ('al-old', 'r')")
    con.close()
    with StateDB(path).connect() as con:
        rows = con.execute("SELECT id, explanation FROM alerts").fetchall()
        version = con.execute("SELECT value FROM settings WHERE key = 'state-version'").fetchone()
    assert rows == [("al-old", None)] and version == ("5",)


def test_a_store_of_version_4_gets_the_first_event_ids_of_its_profiles(tmp_path: Path) -> None:
    path = tmp_path / "v4" / "state.duckdb"
    path.parent.mkdir()
    new = {"analytics_profiles": {"event_id"}, "analytics_volume": {"event_id", "first_time"}}
    con = duckdb.connect(str(path))  # every table as version 4 declared it
    for table in TABLES.values():
        dropped = new.get(table.name, set())
        kept = tuple(c for c in table.columns if c.name not in dropped)
        con.execute(create_sql(replace(table, columns=kept)))
    con.execute("INSERT INTO settings VALUES ('state-version', '4')")
    con.execute(
        "INSERT INTO analytics_profiles VALUES ('actor', 'alice', 'any', '', now(), now(), 3)"
    )
    con.close()
    with StateDB(path).connect() as con:
        rows = con.execute("SELECT subject, events, event_id FROM analytics_profiles").fetchall()
        volume = con.execute("SELECT event_id, first_time FROM analytics_volume").fetchall()
        version = con.execute("SELECT value FROM settings WHERE key = 'state-version'").fetchone()
    assert rows == [("alice", 3, None)] and volume == [] and version == ("5",)


def test_threads_opening_and_closing_connections_keep_a_whole_database(tmp_path: Path) -> None:
    """A connection opened while another thread closes the last one worked on an instance half
    torn down ("python_arrow_scan does not exist"); the server's threads do this all the time."""
    import threading

    import pyarrow as pa

    state = StateDB(tmp_path / "state.duckdb")
    with state.connect():
        pass
    errors: list[str] = []

    def work() -> None:
        for _ in range(120):
            try:
                with state.connect() as con:
                    con.register("t", pa.table({"a": [1, 2, 3]}))
                    assert con.execute("SELECT sum(a) FROM t").fetchone() == (6,)
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
