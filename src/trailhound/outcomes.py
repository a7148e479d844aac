"""What the application's operations return: plain values a front door renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trailhound.detect.base import RuleSet
    from trailhound.detect.ledger import LedgerReport
    from trailhound.incidents.feedback import Precision, Suggestion


@dataclass(frozen=True, slots=True)
class SavedResult:
    """What a query ending in ``| target …`` stored instead of returning rows."""

    name: str
    kind: str  # "dataset" or "view"
    rows: int | None  # None for a view
    append: bool


@dataclass(frozen=True, slots=True)
class QueryOutcome:
    """The rows of a query, or what it saved."""

    columns: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    saved: SavedResult | None = None
    total: int | None = None  # the rows the query has when ``rows`` was cut at ``max_rows``


@dataclass(frozen=True, slots=True)
class StoreStats:
    """What is stored: events per account, and the lake's and ledger's totals."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    files_ingested: int
    quarantined: int
    partitions: int
    parquet_files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Hunt:
    """A hunt's alerts, and the rules that could not be loaded for it."""

    alerts: list[dict[str, Any]]
    problems: list[str]


@dataclass(frozen=True, slots=True)
class RuleStates:
    """Every rule loaded (the signal setting applied), which are enabled, when each last fired."""

    ruleset: RuleSet
    enabled: frozenset[str]
    last_fired: dict[str, datetime]


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    """The ledger's report, the alerts it raised and the public keys it saved."""

    report: LedgerReport
    raised: int
    keys_saved: int


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the analysts' verdicts say about the detections."""

    rules: dict[str, Precision]
    detectors: list[Precision]
    noisiest: list[dict[str, Any]]
    suggestions: list[Suggestion]
