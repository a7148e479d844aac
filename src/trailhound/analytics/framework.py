"""What an analytics detector declares, after Cortex XDR's Analytics: the framework's data.

Each detector (``catalog``) is an :class:`Analytic`:

- ``training``: how long its subject (identity, account) must have been profiled before one of
  its events can be unusual; while an identity is younger, the detector only learns. Zero for a
  detector that needs no baseline (a Tor exit is unusual for anyone).
- ``activation``: how much history the data directory must hold (its first profiled event) before
  the detector raises anything at all.
- ``window``: the test window: ``None`` for a single event, else the span events are counted
  over (``threshold`` of them).
- ``dedup``: the deduplication period: matches about the same identity and resource within it
  grow one alert (the alert store's suppression window).
- ``severity``, ``tactics``, ``techniques``: what the alert carries.
- ``hint``: the investigative actions an analyst takes first.
- ``variations``: the same finding under other conditions (failed call, non-human identity),
  each its own rule ID ``analytics.<name>.<variation>`` with its own severity.

The setting ``analytics-training`` (a duration) replaces every declared non-zero training and
activation, for a data directory whose history is short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from trailhound.model import RuleInfo

SOURCE = "analytics"
PREFIX = "analytics."
TRAINING_SETTING = "analytics-training"


@dataclass(frozen=True, slots=True)
class Variation:
    """A variation of a detector: another rule ID and severity for some of its matches."""

    name: str  # suffix of the rule ID
    severity: str
    when: str  # what selects it, for people


@dataclass(frozen=True, slots=True)
class Analytic:
    """One analytics detector's declaration."""

    name: str  # the rule ID is analytics.<name>
    title: str
    severity: str
    description: str
    hint: str  # investigative actions
    tactics: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    training: timedelta = timedelta(days=30)
    activation: timedelta = timedelta(days=30)
    window: timedelta | None = None  # None: a single event
    threshold: int = 1  # events in the window
    dedup: timedelta = timedelta(days=1)
    variations: tuple[Variation, ...] = ()
    # Profile-based detectors: the scope and facet whose never-seen values it reports.
    scope: str | None = None
    facet: str | None = None

    @property
    def rule_id(self) -> str:
        """``analytics.<name>``."""
        return PREFIX + self.name

    def variation_id(self, variation: str | None) -> str:
        """The rule ID of one of its variations (None: the detector's own)."""
        if variation is None:
            return self.rule_id
        if variation not in {v.name for v in self.variations}:
            raise ValueError(f"{self.rule_id} has no variation {variation!r}")
        return f"{self.rule_id}.{variation}"

    def infos(self) -> dict[str, RuleInfo]:
        """What alerts copy from the detector and from each variation, by rule ID."""
        infos = {
            self.rule_id: RuleInfo(
                self.title,
                self.severity,
                self.tactics,
                self.techniques,
                suppression=self.dedup,
                source=SOURCE,
            )
        }
        for variation in self.variations:
            infos[self.variation_id(variation.name)] = RuleInfo(
                f"{self.title} ({variation.when})",
                variation.severity,
                self.tactics,
                self.techniques,
                suppression=self.dedup,
                source=SOURCE,
            )
        return infos

    def trained(self, override: timedelta | None) -> tuple[timedelta, timedelta]:
        """Training and activation in force (``override``: the ``analytics-training`` setting)."""
        if override is None:
            return self.training, self.activation
        return (
            override if self.training else self.training,
            override if self.activation else self.activation,
        )
