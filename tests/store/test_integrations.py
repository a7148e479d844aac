"""Integrations keep their external ID in the secret store, never where a query can read it."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from trailhound.data_dir import DataDir
from trailhound.errors import QueryError
from trailhound.sources.aws.integrations import Integration
from trailhound.sources.base import Activity, PoisonRecord
from trailhound.store.engine import QueryEngine
from trailhound.store.integrations import IntegrationStatus, IntegrationStore
from trailhound.store.secrets import SecretStore
from trailhound.store.state import StateDB
from trailhound.tables import INTEGRATIONS

EXTERNAL_ID = "th-7d41c09a5be2f3a1"
QUEUE = "https://sqs.us-east-1.amazonaws.com/111122223333/trail"
ROLE = "arn:aws:iam::111122223333:role/trailhound-reader"


def test_the_external_id_is_never_in_the_state_database(data_dir: DataDir) -> None:
    store = IntegrationStore(StateDB(data_dir.state_db))
    store.add(Integration.create("prod", QUEUE, role_arn=ROLE, external_id=EXTERNAL_ID))
    assert store.get("prod").external_id == EXTERNAL_ID
    assert store.list_integrations()[0].connection.external_id == EXTERNAL_ID
    assert EXTERNAL_ID.encode() not in data_dir.state_db.read_bytes()
    with QueryEngine(data_dir) as engine:
        columns, rows = engine.execute_read_only("SELECT * FROM integrations")
        assert rows and "external_id" not in columns
        assert EXTERNAL_ID not in repr(rows)
        with pytest.raises(QueryError, match="external_id"):
            engine.execute_read_only("SELECT external_id FROM integrations")
    store.remove("prod")
    assert SecretStore(data_dir).get("integration/prod/external_id") is None


def test_an_external_id_stored_by_an_older_version_moves_to_the_secret_store(
    data_dir: DataDir,
) -> None:
    state = StateDB(data_dir.state_db)
    IntegrationStore(state).add(Integration.create("old", QUEUE, role_arn=ROLE))
    with state.connect() as con:  # as an older version wrote it
        con.execute("UPDATE integrations SET external_id = ? WHERE name = 'old'", [EXTERNAL_ID])
    with QueryEngine(data_dir) as engine:  # not even the old value shows before it moves
        assert "external_id" not in engine.execute("SELECT * FROM integrations")[0]
    assert IntegrationStore(state).get("old").external_id == EXTERNAL_ID
    with state.connect() as con:
        assert con.execute("SELECT external_id FROM integrations").fetchall() == [(None,)]
    assert SecretStore(data_dir).get("integration/old/external_id") == EXTERNAL_ID


def test_the_table_declares_the_integration_fields_in_order() -> None:
    assert tuple(f.name for f in fields(Integration)) == INTEGRATIONS.column_names
    assert INTEGRATIONS.secret_columns == {"external_id"}


def test_the_status_a_source_reports_through_lands_in_the_store(data_dir: DataDir) -> None:
    store = IntegrationStore(StateDB(data_dir.state_db))
    store.add(Integration.create("prod", QUEUE))
    status = IntegrationStatus(store, "prod")
    assert status.state() == "enabled"
    status.set_state("error", "cannot receive")
    when = datetime(2026, 11, 1, 10, tzinfo=UTC)
    status.record_activity(
        Activity(messages=3, objects=2, events=40, errors=1, last_message_at=when)
    )
    status.record_activity(Activity(messages=1, poison=1))
    status.record_poison([PoisonRecord("s3://b/k", "m-1", 5, "NoSuchKey")])
    stored = store.get("prod")
    assert (stored.state.value, stored.last_error) == ("error", "cannot receive")
    assert (stored.messages, stored.objects_ingested, stored.events_ingested) == (4, 2, 40)
    assert (stored.errors, stored.poison, stored.last_message_at) == (1, 1, when)
    assert [(n, u, r) for n, u, r, _ in store.poison_objects("prod")] == [
        ("prod", "s3://b/k", "NoSuchKey")
    ]
