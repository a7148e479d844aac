"""Integrations: one connected queue of CloudTrail notifications each, kept in the state database.

An integration names the SQS queue, the region and endpoint, the role to assume with its external
ID (or none: the default credential chain), the accounts to keep, and a state:

* ``enabled`` — the collector reads it; ``paused`` — it reads nothing and messages stay queued;
* ``error`` — the last collection failed (``last_error`` says why), retried on the next run;
* ``disconnected`` — the role could not be assumed or the queue is gone, retried likewise;
* ``deleted`` — removed by the user; kept so that its counters and poison records stay readable.

Objects that failed every delivery attempt are recorded in ``poison_objects``, never dropped.
The external ID is a shared secret: it is kept encrypted in the data directory's secret store
(``store.secrets``), never in the state database, where queries could read it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NamedTuple

from trailhound.data_dir import DataDir
from trailhound.errors import CollectError
from trailhound.sources.aws_clients import (
    DEFAULT_REGION,
    AwsConnection,
    partition_for_region,
    region_from_queue_url,
)
from trailhound.store.secrets import SecretStore
from trailhound.store.state import StateDB, register_table

register_table(
    "integrations",
    """
    CREATE TABLE IF NOT EXISTS integrations (
        name VARCHAR PRIMARY KEY, queue_url VARCHAR, region VARCHAR, partition VARCHAR,
        role_arn VARCHAR, external_id VARCHAR, -- always NULL: the secret store holds it
        endpoint_url VARCHAR, kms_note VARCHAR,
        accounts VARCHAR, state VARCHAR, last_error VARCHAR, created_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ, last_message_at TIMESTAMPTZ, messages BIGINT,
        objects_ingested BIGINT, events_ingested BIGINT, errors BIGINT, poison BIGINT)""",
)
register_table(
    "poison_objects",
    """
    CREATE TABLE IF NOT EXISTS poison_objects (
        integration VARCHAR, uri VARCHAR, message_id VARCHAR, receive_count BIGINT,
        reason VARCHAR, recorded_at TIMESTAMPTZ DEFAULT now())""",
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_ACCOUNT = re.compile(r"^\d{12}$")


class IntegrationState(StrEnum):
    """Where an integration stands."""

    ENABLED = "enabled"
    PAUSED = "paused"
    ERROR = "error"
    DISCONNECTED = "disconnected"
    DELETED = "deleted"


COLLECTABLE = frozenset(
    {IntegrationState.ENABLED, IntegrationState.ERROR, IntegrationState.DISCONNECTED}
)


class PoisonRecord(NamedTuple):
    """An object (or message) given up on: what, from which message, after how many tries, why."""

    uri: str
    message_id: str
    receive_count: int
    reason: str


class IntegrationError(CollectError):
    """An integration is missing, invalid or in the wrong state for the request."""


def parse_accounts(text: str | None) -> tuple[str, ...]:
    """The account filter from ``ID,ID``; empty means every account.

    >>> parse_accounts(" 111122223333,444455556666 ")
    ('111122223333', '444455556666')
    """
    accounts = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    bad = [a for a in accounts if not _ACCOUNT.match(a)]
    if bad:
        raise IntegrationError(f"not a 12-digit AWS account ID: {', '.join(bad)}")
    return accounts


@dataclass(frozen=True, slots=True)
class Integration:
    """One connected queue, its settings, state and counters."""

    name: str
    queue_url: str
    region: str = DEFAULT_REGION
    partition: str = "aws"
    role_arn: str | None = None
    external_id: str | None = None  # a shared secret: never print or log it
    endpoint_url: str | None = None
    kms_note: str | None = None
    accounts: tuple[str, ...] = ()
    state: IntegrationState = IntegrationState.ENABLED
    last_error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_message_at: datetime | None = None
    messages: int = 0
    objects_ingested: int = 0
    events_ingested: int = 0
    errors: int = 0
    poison: int = 0

    def __repr__(self) -> str:
        return f"Integration(name={self.name!r}, queue_url={self.queue_url!r}, state={self.state})"

    @classmethod
    def create(
        cls,
        name: str,
        queue_url: str,
        *,
        region: str | None = None,
        role_arn: str | None = None,
        external_id: str | None = None,
        endpoint_url: str | None = None,
        accounts: str | tuple[str, ...] = (),
        kms_note: str | None = None,
    ) -> Integration:
        """A new, validated integration; the region defaults to the queue URL's."""
        if not _NAME.match(name):
            raise IntegrationError(
                f"bad integration name {name!r}: letters, digits, '.', '_' and '-', up to 63"
            )
        if not queue_url.startswith(("https://", "http://")):
            raise IntegrationError(f"the queue URL must be an http(s) URL, not {queue_url!r}")
        if external_id and not role_arn:
            raise IntegrationError("an external ID needs a role ARN (--role-arn)")
        if role_arn and not role_arn.startswith("arn:"):
            raise IntegrationError(f"not a role ARN: {role_arn!r}")
        region = region or region_from_queue_url(queue_url) or DEFAULT_REGION
        return cls(
            name=name,
            queue_url=queue_url,
            region=region,
            partition=partition_for_region(region),
            role_arn=role_arn or None,
            external_id=external_id or None,
            endpoint_url=endpoint_url or None,
            kms_note=kms_note or None,
            accounts=parse_accounts(accounts) if isinstance(accounts, str) else accounts,
        )

    @property
    def connection(self) -> AwsConnection:
        """How to reach AWS for this integration."""
        return AwsConnection(
            region=self.region,
            role_arn=self.role_arn,
            external_id=self.external_id,
            endpoint_url=self.endpoint_url,
        )

    def keeps_account(self, account: str | None) -> bool:
        """Whether the account filter keeps objects of ``account`` (unknown accounts are kept)."""
        return not self.accounts or account is None or account in self.accounts

    def public_view(self) -> dict[str, Any]:
        """The fields to show a user: everything but the external ID, which is masked."""
        view = {f.name: getattr(self, f.name) for f in fields(self)}
        view["external_id"] = "set (hidden)" if self.external_id else None
        view["accounts"] = ",".join(self.accounts) or "all"
        view["state"] = self.state.value
        return view


_COLUMNS = [f.name for f in fields(Integration)]


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
