"""Verdicts as feedback, and suppressions: precision per rule and per detector, the noisiest
actors, a suggestion accepted, the matches it drops (counted), and its expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trailhound.app import Trailhound
from trailhound.errors import IncidentError
from trailhound.incidents.alerts import AlertStore
from trailhound.model import Match, RuleInfo

WHEN = datetime(2026, 11, 2, 10, tzinfo=UTC)
INFO = {
    "noisy": RuleInfo("Noisy rule", "medium", ("discovery",)),
    "good": RuleInfo("Good rule", "high", ("impact",)),
}

_STORES: dict[Path, AlertStore] = {}


def _raise(app: Trailhound, rule: str, who: str, n: int, *, hours: int = 0) -> str:
    """An alert of ``rule`` about ``who`` (one match, event ``n``); its ID."""
    match = Match(
        rule, f"e-{n}", WHEN + timedelta(hours=hours), who, "111122223333", "us-east-1",
        "198.51.100.7", None,
    )  # fmt: skip
    store = _STORES.get(app.data_dir.root)
    if store is None:
        store = _STORES[app.data_dir.root] = AlertStore.for_data_dir(app.data_dir)
    touched = store.record([match], INFO).touched
    return str(touched[0]["id"]) if touched else ""


@pytest.fixture
def app(tmp_path: Path) -> Trailhound:
    """An application over a fresh data directory."""
    return Trailhound(tmp_path / "data")


def test_precision_noisiest_actors_and_suggestions(app: Trailhound) -> None:
    # Three alerts of the noisy rule about the build role, closed as false positives (a day
    # apart: three alerts, not one), one about alice that was real; the good rule is right.
    for day in range(3):
        alert = _raise(app, "noisy", "arn:aws:iam::111122223333:role/build", day, hours=24 * day)
        app.update_alert(alert, status="false_positive")
    app.update_alert(
        _raise(app, "noisy", "arn:aws:iam::111122223333:user/alice", 9), status="resolved"
    )
    app.update_alert(
        _raise(app, "good", "arn:aws:iam::111122223333:user/bob", 10), status="resolved"
    )
    _raise(app, "good", "arn:aws:iam::111122223333:user/bob", 11, hours=48)  # no verdict yet
    feedback = app.feedback()
    noisy, good = feedback.rules["noisy"], feedback.rules["good"]
    assert (noisy.alerts, noisy.true_positives, noisy.false_positives) == (4, 1, 3)
    assert noisy.precision == 0.25 and good.precision == 1.0
    (detector,) = feedback.detectors
    assert (detector.key, detector.verdicts, detector.false_positives) == ("rule", 5, 3)
    assert feedback.noisiest[0] == {
        "principal": "arn:aws:iam::111122223333:role/build",
        "rule_id": "noisy",
        "title": "Noisy rule",
        "false_positives": 3,
    }
    (suggestion,) = feedback.suggestions  # alice had a true positive: never suggested
    assert (suggestion.rule_id, suggestion.field, suggestion.value) == (
        "noisy",
        "principal",
        "arn:aws:iam::111122223333:role/build",
    )
    assert suggestion.false_positives == 3


def test_an_accepted_suppression_drops_matches_until_it_expires(app: Trailhound) -> None:
    build = "arn:aws:iam::111122223333:role/build"
    for day in range(2):
        app.update_alert(_raise(app, "noisy", build, day, hours=24 * day), status="false_positive")
    (suggestion,) = app.feedback().suggestions
    accepted = app.suppressions.add(
        suggestion.rule_id, suggestion.field, suggestion.value, reason=suggestion.reason,
        author="alice",
    )  # fmt: skip
    assert accepted["expires_at"] - accepted["created_at"] == timedelta(days=30)
    assert app.feedback().suggestions == []  # covered now
    before = app.count_alerts()
    assert _raise(app, "noisy", build.upper(), 20, hours=24 * 5) == ""  # case does not matter
    assert app.count_alerts() == before
    assert _raise(app, "good", build, 21, hours=24 * 5) != ""  # another rule still alerts
    assert _raise(app, "noisy", "arn:aws:iam::111122223333:user/carol", 22) != ""
    (listed,) = app.suppressions.list()
    assert listed["hits"] == 1 and listed["active"] and listed["created_by"] == "alice"
    # Expired: listed as such, and the rule alerts again.
    with app.state.connect() as con:
        con.execute("UPDATE suppressions SET expires_at = now() - INTERVAL 1 MINUTE")
    assert app.suppressions.list(active_only=True) == []
    assert not app.suppressions.list()[0]["active"]
    assert _raise(app, "noisy", build, 23, hours=24 * 9) != ""
    app.suppressions.remove(listed["id"])
    assert app.suppressions.list() == []
    with pytest.raises(IncidentError, match="no suppression"):
        app.suppressions.remove(listed["id"])


def test_suppressions_refuse_what_cannot_work(app: Trailhound) -> None:
    for args, kwargs, message in (
        (("noisy", "eventName", "x"), {}, "unknown field"),
        (("noisy", "principal", "  "), {}, "needs a rule and a value"),
        (("noisy", "principal", "x"), {"days": 0}, "1 to 366 days"),
        (("noisy", "principal", "x" * 3000), {}, "longer than"),
    ):
        with pytest.raises(IncidentError, match=message):
            app.suppressions.add(*args, **kwargs)  # type: ignore[arg-type]
    forever = app.suppressions.add("noisy", "source_ip", "198.51.100.7", days=None)
    assert forever["expires_at"] is None and app.suppressions.list()[0]["active"]
    assert _raise(app, "noisy", "anyone", 30) == ""  # matched on the source address


def test_an_incident_closed_gives_its_verdict_to_the_alerts_without_their_own(
    app: Trailhound,
) -> None:
    who = "arn:aws:iam::111122223333:role/build"
    first = _raise(app, "noisy", who, 1)
    second = _raise(app, "good", who, 2)  # same actor, same hour: the same incident
    incident = app.incident_store.for_alert(first)
    assert incident is not None and app.incident_store.for_alert(second) == incident
    before = app.feedback()
    assert before.rules["noisy"].verdicts == 0 and before.rules["good"].verdicts == 0
    app.update_alert(second, status="resolved")  # the alert's own verdict stands
    app.update_incident(incident, status="false_positive")
    feedback = app.feedback()
    noisy, good = feedback.rules["noisy"], feedback.rules["good"]
    assert (noisy.true_positives, noisy.false_positives) == (0, 1)
    assert (good.true_positives, good.false_positives) == (1, 0)
    (detector,) = feedback.detectors
    assert (detector.true_positives, detector.false_positives) == (1, 1)
    assert feedback.noisiest[0]["rule_id"] == "noisy"
    app.update_incident(incident, status="in_progress")  # reopened: no verdict again
    assert app.feedback().rules["noisy"].verdicts == 0
