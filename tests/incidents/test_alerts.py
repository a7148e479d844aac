"""The alert store: grouping and suppression, what a recording changed, and the outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from trailhound.data_dir import DataDir
from trailhound.detect.matches import MatchTable
from trailhound.errors import DetectError, IncidentError
from trailhound.incidents.alerts import AlertStore
from trailhound.model import Match, RuleInfo
from trailhound.store.state import StateDB

T0 = datetime(2026, 8, 1, 10, tzinfo=UTC)
RULES = {
    "r1": RuleInfo("Rule one", "high", ("persistence",), ("T1098",), timedelta(days=1)),
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


ROLE = "arn:aws:iam::111111111111:role/etl"


def _session_match(rule: str, event: str, minutes: int, session: str) -> Match:
    when = T0 + timedelta(minutes=minutes)
    actor = f"{ROLE}/{session}"
    return Match(rule, event, when, actor, "111111111111", "us-east-1", "1.2.3.4", None,
                 principal=ROLE, session=session)  # fmt: skip


def test_the_sessions_of_one_role_are_one_alert_that_names_them(data_dir: DataDir) -> None:
    store = AlertStore(StateDB(data_dir.state_db))
    matches = [_session_match("r2", f"e{i}", i * 10, f"session-{i % 3}") for i in range(12)]
    [alert] = store.record(MatchTable.of(matches), RULES).changed
    assert alert["principal"] == ROLE and alert["actor"] == f"{ROLE}/session-0"
    assert alert["count"] == 12 and alert["sessions"] == ["session-0", "session-1", "session-2"]
    assert alert["group_fields"] == ["principal", "account"]
    assert alert["group_values"] == [ROLE, "111111111111"]
    # Past the one-hour period of r2 the same role is a new alert.
    later = store.record([_session_match("r2", "late", 12 * 10 + 61, "session-9")], RULES)
    assert len(later.created) == 1 and store.count_alerts() == 2


def test_event_ids_are_capped_but_the_count_and_idempotence_are_not(data_dir: DataDir) -> None:
    store = AlertStore(StateDB(data_dir.state_db))
    matches = [_session_match("r1", f"e{i:03}", i, "s") for i in range(150)]
    [alert] = store.record(matches, RULES).changed
    assert alert["count"] == 150 and len(alert["event_ids"]) == 100
    assert alert["event_ids"][:2] == ["e000", "e001"]
    again = store.record(matches[120:], RULES)  # events past the cap: known all the same
    assert again.changed == [] and [a["id"] for a in again.touched] == [alert["id"]]
    assert store.get(alert["id"])["count"] == 150
    assert store.alerts_for_events(["e149"]) == {"e149": ["r1"]}


def test_a_threshold_rule_alerts_once_enough_matches_share_a_key(data_dir: DataDir) -> None:
    rules = {"burst": RuleInfo("Burst", "high", threshold=3)}
    store = AlertStore(StateDB(data_dir.state_db))
    first = store.record([_match("burst", "b1", 0), _match("burst", "b2", 10)], rules)
    assert first.changed == [] and first.signals == 2 and store.count_alerts() == 0
    # Another actor's match does not count towards alice's threshold.
    assert store.record([_match("burst", "x1", 15, actor="bob")], rules).changed == []
    [alert] = store.record([_match("burst", "b3", 20)], rules).changed
    assert alert["count"] == 3 and alert["event_ids"] == ["b1", "b2", "b3"]
    grown = store.record([_match("burst", "b4", 30)], rules)  # once raised, it grows
    assert [a["count"] for a in grown.changed] == [4]
    assert store.record([_match("burst", "b1", 0)], rules).changed == []  # nothing twice
    assert store.signal_counts() == {"burst": 5}


def test_a_signal_rule_is_stored_and_raises_nothing(data_dir: DataDir) -> None:
    rules = {**RULES, "ctx": RuleInfo("Context", "informational", signal=True)}
    store = AlertStore(StateDB(data_dir.state_db))
    changes = store.record([_match("ctx", f"c{i}", i) for i in range(5)], rules)
    assert changes.changed == [] and changes.signals == 5
    assert store.record([_match("ctx", "c0", 0)], rules).signals == 0  # stored once
    assert store.count_alerts() == 0 and store.signal_counts() == {"ctx": 5}
    with store.state.connect() as con:
        row = con.execute("SELECT principal, title FROM signals WHERE event_id = 'c1'").fetchone()
    assert row == ("alice", "Context")


def test_alerts_page_and_count(data_dir: DataDir) -> None:
    store = AlertStore(StateDB(data_dir.state_db))
    store.record([_match("r1", f"p{i}", i * 2000, actor=f"user-{i}") for i in range(7)], RULES)
    pages = [store.list_alerts(limit=3, offset=o) for o in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    ids = [a["id"] for p in pages for a in p]
    assert len(set(ids)) == 7 and store.count_alerts() == 7
    assert store.count_alerts(principal="user-3") == 1 and store.count_alerts(severity="low") == 0


def test_unknown_rules_are_refused(data_dir: DataDir) -> None:
    with pytest.raises(DetectError, match="unknown rules: nosuch"):
        AlertStore(StateDB(data_dir.state_db)).record([_match("nosuch", "e1", 0)], RULES)


def test_a_match_met_twice_in_one_recording_counts_once(data_dir: DataDir) -> None:
    store = AlertStore(StateDB(data_dir.state_db))
    twice = [_match("r1", "e1", 0), _match("r1", "e2", 1), _match("r1", "e1", 0)]
    [alert] = store.record(twice, RULES).changed
    assert alert["count"] == 2 and sorted(alert["event_ids"]) == ["e1", "e2"]
    [again] = store.record([_match("r1", "e3", 2), _match("r1", "e3", 2)], RULES).changed
    assert again["count"] == 3
