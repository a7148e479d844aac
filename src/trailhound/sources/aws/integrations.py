"""Integrations: one connected queue of CloudTrail notifications each, and their validation.

An integration names the SQS queue, the region and endpoint, the role to assume with its external
ID (or none: the default credential chain), the accounts to keep, and a state:

* ``enabled`` — the collector reads it; ``paused`` — it reads nothing and messages stay queued;
* ``error`` — the last collection failed (``last_error`` says why), retried on the next run;
* ``disconnected`` — the role could not be assumed or the queue is gone, retried likewise;
* ``deleted`` — removed by the user; kept so that its counters and poison records stay readable.

Objects that failed every delivery attempt are recorded as poison, never dropped. The external ID
is a shared secret: it is kept encrypted in the data directory's secret store (``store.secrets``),
never in the state database, where queries could read it. This module is the integration itself
and its validation; ``store.integrations`` keeps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from trailhound.errors import CollectError
from trailhound.sources.aws.clients import (
    DEFAULT_REGION,
    AwsConnection,
    partition_for_region,
    region_from_queue_url,
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


_CHANGEABLE = frozenset(
    {
        "queue_url",
        "region",
        "role_arn",
        "external_id",
        "endpoint_url",
        "kms_note",
        "accounts",
        "state",
    }
)
_SETTABLE_STATES = frozenset({IntegrationState.ENABLED.value, IntegrationState.PAUSED.value})


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

    def changed(self, **changes: Any) -> Integration:
        """This integration with some settings changed, validated as ``create`` validates.

        ``changes`` are among ``queue_url``, ``region``, ``role_arn``, ``external_id``,
        ``endpoint_url``, ``kms_note``, ``accounts`` (``ID,ID``; empty or ``all`` for every
        account) and ``state`` (``enabled`` or ``paused``); an empty string clears a setting.
        A new queue URL brings its region unless one is given.
        """
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise IntegrationError(f"cannot change {', '.join(sorted(unknown))}")
        state, requested = self.state, changes.pop("state", None)
        if requested:
            if str(requested).lower() not in _SETTABLE_STATES:
                raise IntegrationError(
                    f"the state can be set to enabled or paused, not {requested!r}"
                )
            state = IntegrationState(str(requested).lower())
        accounts = changes.pop("accounts", None)
        if isinstance(accounts, str) and accounts.strip().lower() == "all":
            accounts = ""
        values: dict[str, Any] = {
            "queue_url": self.queue_url,
            "region": None if "queue_url" in changes else self.region,
            "role_arn": self.role_arn,
            "external_id": self.external_id,
            "endpoint_url": self.endpoint_url,
            "kms_note": self.kms_note,
            "accounts": self.accounts if accounts is None else accounts,
        }
        values.update(changes)
        fresh = Integration.create(self.name, **values)
        return replace(
            self,
            queue_url=fresh.queue_url,
            region=fresh.region,
            partition=fresh.partition,
            role_arn=fresh.role_arn,
            external_id=fresh.external_id,
            endpoint_url=fresh.endpoint_url,
            kms_note=fresh.kms_note,
            accounts=fresh.accounts,
            state=state,
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
