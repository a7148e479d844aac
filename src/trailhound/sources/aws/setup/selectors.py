"""CloudTrail advanced event selectors: management events plus network activity, as AWS documents.

Network activity events (VPC endpoint traffic) are selected with ``eventCategory =
NetworkActivity`` and a required ``eventSource`` (one of the services that log them), optionally
narrowed by ``eventName``, ``vpcEndpointId`` and ``errorCode`` (whose only value is
``VpceAccessDenied``), each with an equals or not-equals list. On the command line a selector is
written ``field=value`` / ``field!=value`` pairs joined by commas, several values of one field
joined by ``|`` (or the pair repeated)::

    eventSource=s3.amazonaws.com,vpcEndpointId!=vpce-0abc12345678|vpce-0def12345678

Everything is validated before anything is generated. Several event sources in one selector make
one selector per source, as CloudTrail takes a single event source per selector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trailhound.errors import TrailhoundError

NETWORK_ACTIVITY_SOURCES = (
    "cloudtrail.amazonaws.com",
    "ec2.amazonaws.com",
    "kms.amazonaws.com",
    "secretsmanager.amazonaws.com",
    "s3.amazonaws.com",
)
NETWORK_ACTIVITY_MODES = ("all", "denied")
DENIED = "VpceAccessDenied"
FIELDS = ("eventSource", "eventName", "vpcEndpointId", "errorCode")
MAX_VALUES = 500  # CloudTrail's limit on the values of all the conditions of a trail's selectors
_VALUE_PATTERNS = {
    "eventName": re.compile(r"^[A-Za-z0-9]{1,128}$"),
    "vpcEndpointId": re.compile(r"^vpce-[0-9a-f]{8,17}$"),
}


class SelectorError(TrailhoundError):
    """A network activity selector is not one CloudTrail accepts."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One field selector: ``field`` equals (or, with ``negate``, differs from) ``values``."""

    field: str
    values: tuple[str, ...]
    negate: bool = False

    def as_field_selector(self) -> dict[str, Any]:
        """The ``AdvancedFieldSelector`` of the CloudTrail API and CloudFormation."""
        return {"Field": self.field, ("NotEquals" if self.negate else "Equals"): list(self.values)}


@dataclass(frozen=True, slots=True)
class NetworkSelector:
    """One network activity selector: an event source and the conditions narrowing it."""

    event_source: str
    conditions: tuple[Condition, ...] = ()

    def as_advanced_selector(self) -> dict[str, Any]:
        """The ``AdvancedEventSelector`` for this source."""
        fields = [
            {"Field": "eventCategory", "Equals": ["NetworkActivity"]},
            {"Field": "eventSource", "Equals": [self.event_source]},
            *(c.as_field_selector() for c in self.conditions),
        ]
        return {"Name": f"Network activity: {self.event_source}", "FieldSelectors": fields}


def _check_value(field: str, value: str) -> None:
    if field == "eventSource" and value not in NETWORK_ACTIVITY_SOURCES:
        raise SelectorError(
            f"{value!r} does not log network activity events; "
            f"event sources: {', '.join(NETWORK_ACTIVITY_SOURCES)}"
        )
    if field == "errorCode" and value != DENIED:
        raise SelectorError(f"errorCode takes only {DENIED}, not {value!r}")
    pattern = _VALUE_PATTERNS.get(field)
    if pattern is not None and not pattern.match(value):
        example = "vpce-0abc1234def567890" if field == "vpcEndpointId" else "GetObject"
        raise SelectorError(f"not a valid {field}: {value!r} (e.g. {example})")


def parse_selector(text: str) -> list[NetworkSelector]:
    """Parse one ``--network-activity-selector``: one selector per event source it names.

    >>> [s.as_advanced_selector()["FieldSelectors"][2] for s in parse_selector(
    ...     "eventSource=s3.amazonaws.com,vpcEndpointId!=vpce-0abc12345678")]
    [{'Field': 'vpcEndpointId', 'NotEquals': ['vpce-0abc12345678']}]
    """
    merged: dict[tuple[str, bool], list[str]] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = re.fullmatch(r"([A-Za-z]+)\s*(!=|=)\s*(.+)", part)
        if match is None:
            raise SelectorError(f"expected field=value or field!=value, not {part!r}")
        field, operator, raw = match.groups()
        if field not in FIELDS:
            raise SelectorError(
                f"unknown field {field!r} in a network activity selector; "
                f"fields: {', '.join(FIELDS)}"
            )
        values = [v.strip() for v in raw.split("|") if v.strip()]
        for value in values:
            _check_value(field, value)
        merged.setdefault((field, operator == "!="), []).extend(values)
    if ("eventSource", True) in merged:
        raise SelectorError("eventSource takes only equals (eventSource=…), not !=")
    for (field, negate), values in merged.items():
        if (field, not negate) in merged:
            raise SelectorError(f"{field} has both = and != in one selector: keep one")
        merged[(field, negate)] = list(dict.fromkeys(values))
    sources = merged.pop(("eventSource", False), None)
    if not sources:
        raise SelectorError(
            f"a network activity selector needs eventSource=… ({text!r}); "
            f"event sources: {', '.join(NETWORK_ACTIVITY_SOURCES)}"
        )
    conditions = tuple(Condition(f, tuple(v), n) for (f, n), v in merged.items())
    return [NetworkSelector(source, conditions) for source in sources]


def network_selectors(
    mode: str | None = None, texts: tuple[str, ...] | list[str] = ()
) -> tuple[NetworkSelector, ...]:
    """The network activity selectors of ``--network-activity`` or the custom selectors."""
    if mode not in (None, *NETWORK_ACTIVITY_MODES):
        raise SelectorError(f"network activity is 'all' or 'denied', not {mode!r}")
    if mode and texts:
        raise SelectorError(
            "give --network-activity or --network-activity-selector, not both "
            f"(for denied requests only, add errorCode={DENIED} to the selectors)"
        )
    if mode:
        denied = (Condition("errorCode", (DENIED,)),) if mode == "denied" else ()
        return tuple(NetworkSelector(s, denied) for s in NETWORK_ACTIVITY_SOURCES)
    selectors = tuple(s for text in texts for s in parse_selector(text))
    count = sum(1 + sum(len(c.values) for c in s.conditions) for s in selectors)
    if count > MAX_VALUES:
        raise SelectorError(f"{count} selector values: CloudTrail takes at most {MAX_VALUES}")
    return selectors


def event_selectors(
    network: str | tuple[NetworkSelector, ...] | None = None,
) -> list[dict[str, Any]]:
    """Advanced event selectors: management events, plus the network activity selectors.

    ``network`` is a mode (``all``, ``denied``) or selectors from ``network_selectors``.
    """
    chosen = network_selectors(network) if isinstance(network, str) or network is None else network
    return [
        {
            "Name": "Management events",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
        },
        *(s.as_advanced_selector() for s in chosen),
    ]
