"""Every state table declared once: consistent declarations, the datasets derived from them."""

from __future__ import annotations

from trailhound.query.datasets import DATASETS
from trailhound.tables import SECRET_COLUMNS, TABLES, tables_markdown


def test_declarations_are_consistent() -> None:
    assert {
        "quarantine", "ingest_runs", "ingested_files", "settings", "log_files_seen",
        "digest_checks", "integrations", "poison_objects", "alerts", "alert_events", "signals",
        "signal_rollups", "alert_comments", "incidents", "incident_alerts", "incident_comments",
        "rule_state",
        "saved_datasets", "saved_queries", "intel_versions", "analytics_profiles",
        "analytics_volume", "analytics_findings", "api_keys", "users", "setup_links",
        "suppressions",
    } == set(TABLES)  # fmt: skip
    for name, table in TABLES.items():
        columns = table.column_names
        assert table.name == name and len(set(columns)) == len(columns)
        assert set(table.primary_key) <= set(columns), name
        assert table.time_column is None or table.time_column in columns, name
        assert all(c.description for c in table.columns), name
    assert {"external_id", "key_hash", "password_hash"} == SECRET_COLUMNS


def test_queryable_tables_are_the_state_datasets() -> None:
    state_datasets = {n for n in DATASETS if n in TABLES}
    assert state_datasets == {n for n, t in TABLES.items() if t.queryable}
    for name in state_datasets:
        table, dataset = TABLES[name], DATASETS[name]
        assert dataset.time_column == table.time_column
        assert dataset.columns == tuple(c.name for c in table.columns if c.queryable)
        assert not set(dataset.columns) & table.secret_columns


def test_the_tables_are_documented() -> None:
    text = tables_markdown()
    for table in TABLES.values():
        assert f"### `{table.name}`" in text
        assert all(f"| `{c.name}` |" in text for c in table.columns)
