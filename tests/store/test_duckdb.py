"""The DuckDB backend: the lake's snapshot, SQL text or expressions, who closes what."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.query.dialects import get_dialect
from trailhound.store.base import BACKENDS
from trailhound.store.duckdb import DuckDBBackend


def test_it_reads_the_lake_as_it_was_when_opened(tmp_path: Path, data_dir: DataDir) -> None:
    with DuckDBBackend.open(data_dir) as empty:
        assert empty.execute("SELECT count(*) FROM cloudtrail").rows == [(0,)]
    write_log(tmp_path / "logs", [make_record(n) for n in range(3)])
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_paths([tmp_path / "logs"])
    with DuckDBBackend.open(data_dir) as backend:
        query = exp.select(exp.func("count", exp.Star())).from_("cloudtrail")
        assert backend.execute(get_dialect(backend.dialect).generate(query)).rows == [(3,)]
        result = backend.execute(
            "SELECT event_id FROM cloudtrail WHERE event_id > ? ORDER BY 1",
            [make_record(1)["eventID"]],
        )
        assert result.columns == ["event_id"] and result.rows == [(make_record(2)["eventID"],)]
    assert BACKENDS.get("duckdb") is DuckDBBackend


def test_a_borrowed_connection_stays_open() -> None:
    con = duckdb.connect()
    DuckDBBackend(con).close()
    assert con.execute("SELECT 1").fetchall() == [(1,)]
    owned = DuckDBBackend(duckdb.connect(), owned=True)
    owned.close()
    with pytest.raises(duckdb.ConnectionException):
        owned.con.execute("SELECT 1")
