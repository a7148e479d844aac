"""Golden files: ``golden/<name>.xql`` in, ``<name>.<dialect>.sql`` out.

Refresh them after an intended change with ``pytest tests/query --update-golden`` (which fails
the run) and review the diff. Every golden query also runs on the test DuckDB and its Spark and
Trino SQL parses back.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot

from tests.conftest import assert_golden
from trailhound.query import compile_query

GOLDEN = Path(__file__).parent / "golden"
DIALECTS = ("duckdb", "spark", "trino")
QUERIES = sorted(GOLDEN.glob("*.xql"))


def test_there_are_enough_goldens() -> None:
    assert len(QUERIES) >= 15


@pytest.mark.parametrize("source", QUERIES, ids=[p.stem for p in QUERIES])
def test_golden(source: Path, update_golden: bool, con: duckdb.DuckDBPyConnection) -> None:
    compiled = compile_query(source.read_text())
    assert_golden(
        {
            source.with_suffix(f".{dialect}.sql"): compiled.sql(dialect, pretty=True) + "\n"
            for dialect in DIALECTS
        },
        update_golden,
    )
    con.execute(compiled.sql("duckdb")).fetchall()
    for dialect in ("spark", "trino"):
        sqlglot.parse_one(compiled.sql(dialect), read=dialect)
