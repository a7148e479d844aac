"""The alert store: grouping and suppression, what a recording changed, and the outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from trailhound.data_dir import DataDir
from trailhound.errors import DetectError, IncidentError
from trailhound.incidents.alerts import AlertStore
from trailhound.model import Match, RuleInfo
from trailhound.store.state import StateDB

T0 = datetime(2026, 8, 1, 10, tzinfo=UTC)
RULES = {
    "r1": RuleInfo("Rule one", "high", ("persistence",), ("T1098",)),
    "r2": RuleInfo("Rule two", "low", suppression=timedelta(hours=1), source="vendor"),
}


def _match(rule: str, event: str, minutes: int, actor: str = "alice", ip: str = "1.2.3.4") -> Match:
    when = T0 + timedelta(minutes=minutes)
    return Match(rule, event, when, actor, "111111111111", "us-east-1", ip, "bucket-a")


class Recorder:
    """An output that keeps what it is sent."""

    name: ClassVar[str] = "recorder"

    def __init__(self) -> None:
        self.sent: list[list[Mapping[str, Any]]] = []

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> None:
        self.sent.append(list(alerts))


class Broken:
    """An output whose destination is gone."""

    name: ClassVar[str] = "broken"

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> None:
        raise IncidentError("the destination is gone")


def test_matches_group_by_rule_actor_and_resource_within_the_suppression(
    data_dir: DataDir,
) -> None:
    store = AlertStore(StateDB(data_dir.state_db))
    changes = store.record(
        [
            _match("r1", "e1", 0),
            _match("r1", "e2", 600, ip="5.6.7.8"),  # ten hours later: the same alert (a day)
            _match("r1", "e3", 5, actor="bob"),  # another actor: another alert
            _match("r2", "e4", 0),
            _match("r2", "e5", 180),  # three hours later: past r2's one hour
        ],
        RULES,
    )
    assert len(changes.changed) == 4 and changes.created == {a["id"] for a in changes.changed}
    first = next(a for a in changes.changed if a["rule_id"] == "r1" and a["actor"] == "alice")
    assert (first["count"], first["source_ips"], first["title"]) == (
        2, ["1.2.3.4", "5.6.7.8"], "Rule one",
    )  # fmt: skip
    assert first["tactics"] == ["persistence"] and first["source"] == "rule"
    assert {a["source"] for a in changes.changed if a["rule_id"] == "r2"} == {"vendor"}
    # The same matches again change nothing, yet belong to the same alerts.
    again = store.record([_match("r1", "e1", 0), _match("r1", "e2", 600)], RULES)
    assert again.changed == [] and [a["id"] for a in again.touched] == [first["id"]]
    # A new event grows the alert: changed, not created.
    grown = store.record([_match("r1", "e6", 700)], RULES)
    assert [a["id"] for a in grown.changed] == [first["id"]] and not grown.created
    assert store.get(first["id"][:12])["count"] == 3
    assert store.fired_rules() == {"r1": 2, "r2": 2}
    assert store.alerts_for_events(["e4", "e6"]) == {"e4": ["r2"], "e6": ["r1"]}


def test_status_changes_leave_a_comment_trail(data_dir: DataDir) -> None:
    store = AlertStore(StateDB(data_dir.state_db))
    [alert] = store.record([_match("r1", "e1", 0)], RULES).changed
    store.update(alert["id"], status="resolved", comment="benign", author="carol")
    shown = store.get(alert["id"])
    assert shown["status"] == "resolved"
    assert [(c["author"], c["text"]) for c in shown["comments"]] == [
        ("carol", "status new → resolved"),
        ("carol", "benign"),
    ]
    assert [a["id"] for a in store.list_alerts(status="resolved")] == [alert["id"]]
    with pytest.raises(DetectError, match="unknown status"):
        store.update(alert["id"], status="closed")
    with pytest.raises(DetectError, match="no alert"):
        store.get("al-nosuch")


def test_outputs_get_what_changed_and_a_broken_one_loses_nothing(
    data_dir: DataDir, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    store = AlertStore(StateDB(data_dir.state_db), [Broken(), recorder])
    store.record([_match("r1", "e1", 0), _match("r2", "e2", 0)], RULES)
    store.record([_match("r1", "e1", 0)], RULES)  # nothing new: nothing sent
    store.record([_match("r1", "e3", 30)], RULES)
    assert [[a["rule_id"] for a in batch] for batch in recorder.sent] == [["r1", "r2"], ["r1"]]
    assert recorder.sent[1][0]["count"] == 2
    assert "alert output broken failed: the destination is gone" in caplog.text
    assert len(AlertStore(StateDB(data_dir.state_db)).list_alerts()) == 2  # stored regardless
