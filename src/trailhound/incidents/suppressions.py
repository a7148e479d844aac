"""Suppressions: a rule's matches on one field's value that analysts asked not to alert on.

A suppression names a rule, a field of the match (``principal``, ``source_ip``, ``account`` or
``resource``), the value (compared case-insensitively) and an expiry; while it is active, the
alert store drops the matching matches before they become alerts or signals
(``incidents.alerts``), and counts them in ``hits``. Expired suppressions stay listed, marked
expired, until removed.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from trailhound.errors import IncidentError
from trailhound.store.state import StateDB
from trailhound.tables import SUPPRESSIONS

FIELDS = ("principal", "source_ip", "account", "resource")
DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_TEXT = 2_000
COLUMNS = SUPPRESSIONS.column_names

# The statement the alert store runs on its ``fresh`` matches (fixed text: values are bound).
# Each active suppression's hits are counted first, then its matches dropped.
COUNT_SUPPRESSED = """
UPDATE suppressions SET hits = hits + c.n FROM (
    SELECT s.id, count(*) AS n FROM suppressions AS s JOIN fresh AS f
    ON s.rule_id = f.rule_id AND (s.expires_at IS NULL OR s.expires_at > $now)
    AND lower(s.value) = lower(CASE s.field WHEN 'principal' THEN coalesce(f.principal, f.actor)
        WHEN 'source_ip' THEN f.source_ip WHEN 'account' THEN f.account
        WHEN 'resource' THEN f.resource END)
    GROUP BY s.id
) AS c WHERE suppressions.id = c.id
"""
DROP_SUPPRESSED = """
DELETE FROM fresh WHERE EXISTS (
    SELECT 1 FROM suppressions AS s WHERE s.rule_id = fresh.rule_id
    AND (s.expires_at IS NULL OR s.expires_at > $now)
    AND lower(s.value) = lower(CASE s.field
        WHEN 'principal' THEN coalesce(fresh.principal, fresh.actor)
        WHEN 'source_ip' THEN fresh.source_ip WHEN 'account' THEN fresh.account
        WHEN 'resource' THEN fresh.resource END)
)
"""


class SuppressionStore:
    """The suppressions of one state database."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def add(
        self,
        rule_id: str,
        field: str,
        value: str,
        *,
        days: int | None = DEFAULT_DAYS,
        reason: str = "",
        author: str = "analyst",
    ) -> dict[str, Any]:
        """Suppress a rule's matches whose ``field`` is ``value`` for ``days`` (None: ever)."""
        if field not in FIELDS:
            raise IncidentError(f"unknown field {field!r}: use one of {', '.join(FIELDS)}")
        if not rule_id or not value.strip():
            raise IncidentError("a suppression needs a rule and a value")
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise IncidentError(f"a suppression lasts 1 to {MAX_DAYS} days")
        for name, text in (("rule", rule_id), ("value", value), ("reason", reason)):
            if len(text) > MAX_TEXT:
                raise IncidentError(f"the {name} is longer than {MAX_TEXT:,} characters")
        now = datetime.now(UTC)
        row = {
            "id": f"sp-{secrets.token_hex(6)}",
            "rule_id": rule_id,
            "field": field,
            "value": value.strip(),
            "reason": reason,
            "created_by": author,
            "created_at": now,
            "expires_at": now + timedelta(days=days) if days is not None else None,
            "hits": 0,
        }
        with self.state.connect() as con:
            con.execute(
                f"INSERT INTO suppressions ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)})",
                [row[c] for c in COLUMNS],
            )
        return row

    def list(self, *, active_only: bool = False) -> list[dict[str, Any]]:
        """Every suppression (or the active ones), newest first, each marked ``active``."""
        now = datetime.now(UTC)
        with self.state.connect() as con:
            rows = con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM suppressions ORDER BY created_at DESC, id"
            ).fetchall()
        found = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
        for item in found:
            item["active"] = item["expires_at"] is None or item["expires_at"] > now
        return [s for s in found if s["active"]] if active_only else found

    def remove(self, suppression_id: str) -> None:
        """Remove a suppression: the rule alerts on those matches again."""
        with self.state.connect() as con:
            gone = con.execute(
                "DELETE FROM suppressions WHERE id = ? RETURNING id", [suppression_id]
            ).fetchall()
        if not gone:
            raise IncidentError(f"no suppression {suppression_id!r}")
