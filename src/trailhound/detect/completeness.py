"""The completeness ledger's checks as a detector (``completeness``): tampering and silence alerts.

The ledger (:mod:`trailhound.detect.ledger`) checks the log files ingested against CloudTrail's
digest files and reports findings. The findings of the kinds in ``ALERTING`` become matches of the
rule ``ledger-<kind>``, one per finding, whose event ID is stable across checks (kind, resource and
time), so re-running the ledger grows no alert. ``trailhound ledger`` raises them with the options
it was given; a hunt runs the digest checks with the digests and public keys the data directory
keeps (what the collector saved), without the ledger command's time-relative thresholds (late,
silent), which only the command sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from trailhound.detect.base import BatchContext, DetectorContext
from trailhound.model import Match, RuleInfo

if TYPE_CHECKING:
    from trailhound.detect.ledger import Finding
    from trailhound.store.base import Backend

SOURCE = "ledger"
RULE_PREFIX = "ledger-"
# The finding kinds (FindingKind values) that raise an alert, with its title and severity.
ALERTING: dict[str, tuple[str, str]] = {
    "modified": ("CloudTrail log file does not match its digest", "high"),
    "bad-signature": ("CloudTrail digest signature is invalid", "high"),
    "broken-chain": ("CloudTrail digest chain is broken", "high"),
    "conflicting-digest": ("Two different CloudTrail digest files claim one object", "high"),
    "misplaced-digest": ("A CloudTrail digest was found under another object's key", "high"),
    "unsigned-digest": ("CloudTrail digest has no signature", "medium"),
    "unreadable-digest": ("CloudTrail digest file is unreadable", "medium"),
    "silent": ("No CloudTrail delivery from an account and region", "medium"),
}


def finding_matches(findings: Iterable[Finding], now: datetime | None = None) -> list[Match]:
    """One match per alerting finding; findings of other kinds raise nothing."""
    now = now or datetime.now(UTC)
    matches: list[Match] = []
    for finding in findings:
        kind = finding.kind.value
        if kind not in ALERTING:
            continue
        resource = finding.uri or f"{finding.account}/{finding.region}"
        when = finding.time or now
        event_id = f"ledger:{kind}:{resource}:{when.isoformat()}"
        match = Match(RULE_PREFIX + kind, event_id, when, None, finding.account, finding.region,
                      None, resource)  # fmt: skip
        matches.append(match)
    return matches


class CompletenessDetector:
    """The ledger's tamper and silence checks, raising ``ledger-*`` alerts."""

    name: ClassVar[str] = "completeness"

    def __init__(self, context: DetectorContext) -> None:
        self.context = context

    def infos(self) -> Mapping[str, RuleInfo]:
        """One rule per alerting finding kind."""
        return {
            RULE_PREFIX + kind: RuleInfo(title, severity, source=SOURCE)
            for kind, (title, severity) in ALERTING.items()
        }

    def on_batch(self, batch: BatchContext) -> list[Match]:
        """Nothing per batch: the checks need the digests, which come on their own clock."""
        return []

    def finish(self) -> list[Match]:
        """Nothing at the end of an ingest call either; ``trailhound ledger`` runs the checks."""
        return []

    def hunt(
        self, backend: Backend, since: timedelta | None, only: set[str] | None = None
    ) -> list[Match]:
        """The digest checks over the digests the data directory keeps, if it keeps any."""
        wanted = set(self.infos()) if only is None else set(self.infos()) & only
        digests = self.context.data_dir.root / "digests"
        if not wanted or not digests.is_dir():
            return []
        from trailhound.detect.ledger import check, saved_public_keys

        now = datetime.now(UTC)
        report = check(
            self.context.data_dir,
            [digests],
            public_keys=saved_public_keys(self.context.data_dir),
            since=None if since is None else now - since,
            late_after=None,
            silence_threshold=None,
            now=now,
        )
        return [m for m in finding_matches(report.findings, now) if m.rule_id in wanted]
