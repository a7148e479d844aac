"""Detection over a data directory: the enabled detectors, wired to the alert store.

``Detection`` is what the ingest loop calls on every committed batch (``on_batch``) and once at
the end of each ingest call (``finish``), and what a hunt runs (``hunt``). It builds every
detector registered in ``DETECTORS`` — the Sigma rule set, the completeness ledger's checks and
any third party's, alike — lazily, on first use, runs them and records their matches in the
alert sink it is given: the data directory's alert store (``incidents.alerts.AlertStore``), which
hands the alerts created or grown to the configured outputs. Detection imports nothing of that
later stage; whoever wires the two (the command line, later the application) passes the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trailhound.data_dir import DataDir
from trailhound.detect.base import (
    DETECTORS,
    AlertSink,
    BatchContext,
    Detector,
    DetectorContext,
    ExplainingDetector,
    PartedDetector,
)
from trailhound.errors import DetectError
from trailhound.model import Match
from trailhound.registry import Registry, RegistryError
from trailhound.store.state import StateDB

if TYPE_CHECKING:
    import duckdb

    from trailhound.store.base import Backend


class Detection:
    """Runs detectors on ingest batches and in hunts, and raises their matches as alerts."""

    def __init__(
        self,
        data_dir: DataDir,
        alerts: AlertSink,
        *,
        rule_dirs: Sequence[Path] = (),
        registry: Registry[type[Detector]] = DETECTORS,
        detectors: Sequence[Detector] | None = None,
        open_backend: Callable[[], Backend] | None = None,
        run_started: datetime | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.alerts = alerts
        self.context = DetectorContext(
            data_dir,
            # The data directory's own rules (uploaded through the API) run wherever it is used.
            rule_dirs=(*rule_dirs, *([data_dir.rules] if data_dir.rules.is_dir() else [])),
            run_started=run_started or datetime.now(UTC),
            open_backend=open_backend,
        )
        self.registry = registry
        self._given = list(detectors) if detectors is not None else None
        self._built: dict[str, Detector] = {d.name: d for d in self._given or ()}

    @property
    def detectors(self) -> list[Detector]:
        """Every registered detector (or those given), each built on first use."""
        if self._given is not None:
            return self._given
        return [self.detector(name) for name in self.registry.names()]

    def detector(self, name: str) -> Detector:
        """The detector called ``name``, built now if it was not yet."""
        found = self._built.get(name)
        if found is None:
            if self._given is not None:
                known = ", ".join(d.name for d in self._given)
                raise DetectError(f"no detector named {name!r}; known: {known}")
            try:
                kind = self.registry.get(name)
            except RegistryError as error:
                raise DetectError(str(error)) from error
            found = self._built[name] = kind(self.context)
        return found

    def raise_matches(
        self, detector: Detector, matches: Sequence[Match], *, report_all: bool = False
    ) -> list[dict[str, Any]]:
        """Record a detector's matches as alerts; the alerts created or grown (or, with
        ``report_all``, every alert the matches belong to)."""
        changes = self.alerts.record(matches, detector.infos())
        found = changes.touched if report_all else changes.changed
        if matches and isinstance(detector, ExplainingDetector):
            # Written to the stored alerts by the detector; copied onto the ones returned.
            explained = detector.explain(changes.touched)
            for alert in (*changes.touched, *changes.changed):
                if alert["id"] in explained:
                    alert["explanation"] = explained[alert["id"]]
        return found

    # The ingest loop's side --------------------------------------------------------------
    def on_batch(self, batch: BatchContext) -> None:
        """Run every detector on one committed batch and raise what it matches."""
        with StateDB(self.data_dir.state_db).hold():  # opened once, not once per step
            for detector in self.detectors:
                self.raise_matches(detector, detector.on_batch(batch))

    def finish(self) -> None:
        """Run what detectors do once per ingest call, and raise what it matches."""
        for detector in list(self._built.values()):  # none built: no batch came, nothing to do
            self.raise_matches(detector, detector.finish())

    def __call__(self, con: duckdb.DuckDBPyConnection, relation: str) -> None:
        """The ingest hook's calling convention: one committed batch, by connection and name."""
        self.on_batch(BatchContext(con, relation))

    # Hunting -----------------------------------------------------------------------------
    def hunt(
        self,
        since: timedelta | None = None,
        *,
        only: set[str] | None = None,
        report_all: bool = False,
        detectors: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Run every detector (or those named in ``detectors``) over the stored events (the
        last ``since``; None: all).

        Returns the alerts created or grown, or with ``report_all`` every alert the matches
        belong to, including ones stored before.
        """
        chosen = (
            self.detectors if detectors is None else [self.detector(name) for name in detectors]
        )
        with StateDB(self.data_dir.state_db).hold():  # opened once, not once per step
            return self._hunt(chosen, since, only, report_all)

    def _hunt(
        self,
        chosen: Sequence[Detector],
        since: timedelta | None,
        only: set[str] | None,
        report_all: bool,
    ) -> list[dict[str, Any]]:
        # By ID: an alert grown by several parts is reported once, as the last part left it.
        alerts: dict[str, dict[str, Any]] = {}
        backend = self.context.backend()
        try:
            found: list[tuple[Detector, Sequence[Match]]] = []
            for detector in chosen:
                if isinstance(detector, PartedDetector):
                    # Recorded part by part, while the backend is open: one part held at a time.
                    for part in detector.hunt_parts(backend, since, only):
                        for alert in self.raise_matches(detector, part, report_all=report_all):
                            alerts[alert["id"]] = alert
                else:
                    found.append((detector, detector.hunt(backend, since, only)))
        finally:
            backend.close()
        for detector, matches in found:
            for alert in self.raise_matches(detector, matches, report_all=report_all):
                alerts[alert["id"]] = alert
        return sorted(alerts.values(), key=lambda a: (a["first_seen"], a["id"]))
