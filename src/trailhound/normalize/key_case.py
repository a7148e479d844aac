"""Repair records whose CloudTrail keys arrive in the wrong letter case (``eventtime``).

Some exporters and test fixtures lower-case CloudTrail's field names. Such a record would
otherwise be quarantined for a missing ``eventTime``; instead its known keys are mapped back to
CloudTrail's spelling (the original text is still kept as ``raw``).
"""

from __future__ import annotations

from typing import Any

from trailhound.schema import EVENT_COLUMNS

_NESTED = (
    "userIdentity",
    "sessionContext",
    "sessionIssuer",
    "attributes",
    "tlsDetails",
    "onBehalfOf",
    "webIdFederationData",
)


def _canonical_keys() -> dict[str, str]:
    keys: dict[str, str] = {name.lower(): name for name in _NESTED}
    for column in EVENT_COLUMNS:
        for part in (column.source or "").split("."):
            if part:
                keys.setdefault(part.lower(), part)
    return keys


CANONICAL_KEYS: dict[str, str] = _canonical_keys()


def _repair(node: dict[str, Any]) -> dict[str, Any]:
    repaired: dict[str, Any] = {}
    for key, value in node.items():
        canonical = CANONICAL_KEYS.get(key.lower(), key)
        if canonical in _NESTED and isinstance(value, dict):
            value = _repair(value)
        # The correctly spelled key wins when both spellings are present.
        if canonical not in repaired or key == canonical:
            repaired[canonical] = value
    return repaired


def repair_key_case(record: Any) -> dict[str, Any] | None:
    """The record with CloudTrail's key spelling restored, or None if nothing changed.

    >>> repair_key_case({"eventtime": "2024-01-01T00:00:00Z", "eventname": "X"})
    {'eventTime': '2024-01-01T00:00:00Z', 'eventName': 'X'}
    """
    if not isinstance(record, dict):
        return None
    repaired = _repair(record)
    return None if repaired == record else repaired
