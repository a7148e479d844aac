"""The enrichment table's files: generations swapped whole, parts added, the join's relation."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from trailhound.data_dir import DataDir
from trailhound.errors import StoreError
from trailhound.store.enrichment import TABLE_SCHEMA, EnrichmentFiles


def _rows(*addresses: str, country: str = "US") -> pa.Table:
    n = len(addresses)
    return pa.table(
        {
            "source_ip_address": list(addresses),
            "src_country": [country] * n,
            "src_asn": [1] * n,
            "src_as_org": ["org"] * n,
            "src_is_tor": [False] * n,
            "src_in_aws": [True] * n,
            "intel_version": ["v1"] * n,
        },
        schema=TABLE_SCHEMA,
    )


def _read(files: EnrichmentFiles) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    return con.execute(
        f"SELECT source_ip_address, src_country FROM {files.scan_sql()} ORDER BY 1"
    ).fetchall()


def test_an_empty_table_reads_as_no_rows(data_dir: DataDir) -> None:
    files = EnrichmentFiles(data_dir)
    assert files.current() is None and files.snapshot() == (None, [])
    assert _read(files) == []


def test_writes_need_the_write_lock(data_dir: DataDir) -> None:
    with pytest.raises(StoreError, match="write lock"):
        EnrichmentFiles(data_dir).replace(_rows("1.1.1.1"), "v1", {})


def test_replace_swaps_generations_and_append_adds_parts(data_dir: DataDir) -> None:
    files = EnrichmentFiles(data_dir)
    with files.lock.hold():
        first = files.replace(_rows("1.1.1.1", "2.2.2.2"), "v1", {"tor": "a"})
        files.append(_rows("3.3.3.3"))
    assert _read(files) == [("1.1.1.1", "US"), ("2.2.2.2", "US"), ("3.3.3.3", "US")]
    with files.lock.hold():
        second = files.replace(_rows("1.1.1.1", country="DE"), "v2", {"tor": "b"})
    assert _read(files) == [("1.1.1.1", "DE")]
    assert not (files.root / first.name).exists()  # the old generation is gone
    current = files.current()
    assert current is not None
    assert (current.name, current.intel_version, current.lists) == (second.name, "v2", {"tor": "b"})


def test_a_duplicate_row_never_multiplies_events(data_dir: DataDir) -> None:
    files = EnrichmentFiles(data_dir)
    with files.lock.hold():
        files.replace(_rows("1.1.1.1"), "v1", {})
        files.append(_rows("1.1.1.1"))
    assert _read(files) == [("1.1.1.1", "US")]
