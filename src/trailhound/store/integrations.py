"""Integrations kept in the state database; their external IDs in the secret store.

The integration itself and its validation are :mod:`trailhound.sources.aws.integrations`; this
is where they are stored, with their counters and the objects given up on (``poison_objects``).
``IntegrationStatus`` is the :class:`~trailhound.sources.base.SourceStatus` of one integration:
what its SQS source reads and reports through the ingest loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from trailhound.data_dir import DataDir
from trailhound.sources.aws.integrations import (
    Integration,
    IntegrationError,
    IntegrationState,
)
from trailhound.sources.base import Activity, PoisonRecord
from trailhound.store.secrets import SecretStore
from trailhound.store.state import StateDB
from trailhound.tables import INTEGRATIONS

_COLUMNS = list(INTEGRATIONS.column_names)  # the fields of ``Integration``, in order


def _from_row(row: tuple[Any, ...], secrets: SecretStore) -> Integration:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["accounts"] = tuple(a for a in (values["accounts"] or "").split(",") if a)
    values["state"] = IntegrationState(values["state"])
    for counter in ("messages", "objects_ingested", "events_ingested", "errors", "poison"):
        values[counter] = int(values[counter] or 0)
    values["external_id"] = secrets.get(_secret_name(values["name"]))
    return Integration(**values)


def _secret_name(integration: str) -> str:
    return f"integration/{integration}/external_id"


class IntegrationStore:
    """Integrations and poison records in the state database; external IDs in the secret store."""

    def __init__(self, state: StateDB, secrets: SecretStore | None = None) -> None:
        self.state = state
        self.secrets = secrets or SecretStore(DataDir(state.path.parent))
        self._moved = False

    def _move_plain_secrets(self) -> None:
        """Move external IDs an older version stored in the state database to the secret store."""
        if self._moved:
            return
        with self.state.connect() as con:
            plain = con.execute(
                "SELECT name, external_id FROM integrations WHERE external_id IS NOT NULL"
            ).fetchall()
        for name, external_id in plain:
            self.secrets.put(_secret_name(name), external_id)
            with self.state.connect() as con:
                con.execute("UPDATE integrations SET external_id = NULL WHERE name = ?", [name])
        self._moved = True

    def add(self, integration: Integration) -> Integration:
        """Store a new integration; a deleted one of the same name is replaced."""
        existing = self.find(integration.name)
        if existing is not None and existing.state is not IntegrationState.DELETED:
            raise IntegrationError(f"integration {integration.name!r} exists already")
        now = datetime.now(UTC)
        stored = replace(integration, created_at=now, updated_at=now)
        values = [getattr(stored, c) for c in _COLUMNS]
        values[_COLUMNS.index("accounts")] = ",".join(stored.accounts)
        values[_COLUMNS.index("state")] = stored.state.value
        values[_COLUMNS.index("external_id")] = None
        self.secrets.put(_secret_name(stored.name), stored.external_id)
        with self.state.connect() as con:
            con.execute(
                f"INSERT OR REPLACE INTO integrations ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                values,
            )
        return stored

    def update(self, integration: Integration) -> Integration:
        """Store new settings of a live integration (its counters and creation time stay)."""
        current = self.get(integration.name)
        with self.state.connect() as con:
            con.execute(
                "UPDATE integrations SET queue_url = ?, region = ?, partition = ?, role_arn = ?, "
                "endpoint_url = ?, kms_note = ?, accounts = ?, state = ?, updated_at = now() "
                "WHERE name = ?",
                [
                    integration.queue_url,
                    integration.region,
                    integration.partition,
                    integration.role_arn,
                    integration.endpoint_url,
                    integration.kms_note,
                    ",".join(integration.accounts),
                    integration.state.value,
                    integration.name,
                ],
            )
        if integration.external_id != current.external_id:
            self.secrets.put(_secret_name(integration.name), integration.external_id)
        return self.get(integration.name)

    def find(self, name: str) -> Integration | None:
        """The integration called ``name`` (deleted ones too), or None."""
        self._move_plain_secrets()
        with self.state.connect() as con:
            row = con.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM integrations WHERE name = ?", [name]
            ).fetchone()
        return None if row is None else _from_row(row, self.secrets)

    def get(self, name: str) -> Integration:
        """The live integration called ``name``; raises if there is none."""
        found = self.find(name)
        if found is None or found.state is IntegrationState.DELETED:
            raise IntegrationError(f"no integration called {name!r}")
        return found

    def list_integrations(self, *, include_deleted: bool = False) -> list[Integration]:
        """Every integration, by name."""
        self._move_plain_secrets()
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM integrations ORDER BY name"
            ).fetchall()
        found = [_from_row(r, self.secrets) for r in rows]
        return [i for i in found if include_deleted or i.state is not IntegrationState.DELETED]

    def set_state(self, name: str, state: IntegrationState, error: str | None = None) -> None:
        """Move an integration to ``state``; ``error`` is kept as the last error."""
        self.get(name)
        with self.state.connect() as con:
            con.execute(
                "UPDATE integrations SET state = ?, last_error = coalesce(?, last_error), "
                "updated_at = now() WHERE name = ?",
                [state.value, error, name],
            )

    def remove(self, name: str) -> None:
        """Mark an integration deleted; its counters and poison records stay, its secret goes."""
        self.set_state(name, IntegrationState.DELETED)
        self.secrets.put(_secret_name(name), None)

    def record_activity(
        self,
        name: str,
        *,
        messages: int = 0,
        objects: int = 0,
        events: int = 0,
        errors: int = 0,
        poison: int = 0,
        last_message_at: datetime | None = None,
    ) -> None:
        """Add to an integration's counters."""
        with self.state.connect() as con:
            con.execute(
                "UPDATE integrations SET messages = coalesce(messages, 0) + ?, "
                "objects_ingested = coalesce(objects_ingested, 0) + ?, "
                "events_ingested = coalesce(events_ingested, 0) + ?, "
                "errors = coalesce(errors, 0) + ?, poison = coalesce(poison, 0) + ?, "
                "last_message_at = greatest(last_message_at, ?) WHERE name = ?",
                [messages, objects, events, errors, poison, last_message_at, name],
            )

    def record_poison(self, name: str, records: Sequence[PoisonRecord]) -> None:
        """Record objects given up on, with why, in one statement (a message may hold 10,000)."""
        if not records:
            return
        columns = list(zip(*records, strict=True))
        with self.state.connect() as con:
            con.execute(
                "INSERT INTO poison_objects (integration, uri, message_id, receive_count, reason)"
                " SELECT ?, unnest(?), unnest(?), unnest(?), unnest(?)",
                [name, *(list(c) for c in columns)],
            )

    def poison_objects(self, name: str | None = None) -> list[tuple[str, str, str, datetime]]:
        """``(integration, uri, reason, recorded_at)`` of poison objects, newest first."""
        with self.state.connect() as con:
            rows = con.execute(
                "SELECT integration, uri, reason, recorded_at FROM poison_objects "
                "WHERE ? IS NULL OR integration = ? ORDER BY recorded_at DESC",
                [name, name],
            ).fetchall()
        return [(str(a), str(b), str(c), d) for a, b, c, d in rows]


class IntegrationStatus:
    """One integration's state, counters and poison objects, for its source."""

    def __init__(self, store: IntegrationStore, name: str) -> None:
        self.store = store
        self.name = name

    def state(self) -> str:
        """The stored state."""
        return self.store.get(self.name).state.value

    def set_state(self, state: str, error: str | None = None) -> None:
        """Move the integration to ``state``."""
        self.store.set_state(self.name, IntegrationState(state), error)

    def record_activity(self, activity: Activity) -> None:
        """Add to the integration's counters."""
        self.store.record_activity(
            self.name,
            messages=activity.messages,
            objects=activity.objects,
            events=activity.events,
            errors=activity.errors,
            poison=activity.poison,
            last_message_at=activity.last_message_at,
        )

    def record_poison(self, records: Sequence[PoisonRecord]) -> None:
        """Record objects given up on."""
        self.store.record_poison(self.name, records)
