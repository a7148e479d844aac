"""Streaming (on ingest) and hunting produce the same alerts; dedup, status, correlation, CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from detect_support import complete_event, ingest_records
from typer.testing import CliRunner

from trailhound.data_dir import DataDir
from trailhound.detect.alerts import get_alert, list_alerts, update_alert
from trailhound.detect.hooks import detection_hook
from trailhound.detect.runner import Detector
from trailhound.errors import DetectError


def _story() -> list[dict[str, Any]]:
    """Failed logins from one IP, then a trail stopped twice, then a key for another user."""
    events = [
        complete_event(
            {
                "eventSource": "signin.amazonaws.com",
                "eventName": "ConsoleLogin",
                "sourceIPAddress": "203.0.113.5",
                "errorMessage": "Failed authentication",
                "responseElements": {"ConsoleLogin": "Failure"},
            },
            f"login-{n}",
            n,
        )
        for n in range(6)
    ]
    events += [
        complete_event(
            {
                "eventSource": "cloudtrail.amazonaws.com",
                "eventName": "StopLogging",
                "requestParameters": {"name": "main"},
            },
            f"stop-{n}",
            10 + n,
        )
        for n in range(2)
    ]
    events.append(
        complete_event(
            {
                "eventSource": "iam.amazonaws.com",
                "eventName": "CreateAccessKey",
                "requestParameters": {"userName": "backdoor"},
            },
            "key-1",
            20,
        )
    )
    return events


def _summary(data_dir: DataDir) -> set[tuple[str, str, int, tuple[str, ...]]]:
    return {
        (a["rule_id"], a["actor"] or "", a["count"], tuple(sorted(a["event_ids"])))
        for a in list_alerts(Detector(data_dir).state, limit=1000)
    }


def test_streaming_equals_hunting(tmp_path: Path) -> None:
    streamed = DataDir(tmp_path / "streamed")
    with_hook = detection_hook(streamed)
    events = _story()
    for chunk in (events[:3], events[3:7], events[7:]):  # three ingest batches
        ingest_records(streamed, chunk, detection=with_hook)
    hunted = DataDir(tmp_path / "hunted")
    ingest_records(hunted, events)
    Detector(hunted).hunt(None)
    assert _summary(streamed) == _summary(hunted)
    titles = {a["title"] for a in list_alerts(Detector(hunted).state)}
    assert "Repeated failed console sign-ins" in titles
    assert "CloudTrail trail stopped or deleted" in titles
    assert "Access key created for another user" in titles


def test_rerun_does_not_duplicate_and_suppression_merges(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    detector = Detector(data_dir)
    first = detector.hunt(None)
    assert detector.hunt(None) == []
    stopped = [a for a in first if a["title"] == "CloudTrail trail stopped or deleted"]
    assert len(stopped) == 1 and stopped[0]["count"] == 2  # one alert, two events


def test_status_and_comments(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    detector = Detector(data_dir)
    alert = detector.hunt(None)[0]
    update_alert(detector.state, alert["id"][:10], status="in_progress", comment="looking")
    shown = get_alert(detector.state, alert["id"])
    assert shown["status"] == "in_progress"
    assert [c["text"] for c in shown["comments"]][-1] == "looking"
    with pytest.raises(DetectError):
        update_alert(detector.state, alert["id"], status="bogus")


def test_retro_hunt_on_enable(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    detector = Detector(data_dir)
    stop_rule = next(r.id for r in detector.all_rules.rules if "stopped or deleted" in r.title)
    detector.set_enabled(stop_rule, False)
    detector.hunt(None)
    assert not list_alerts(detector.state, rule_id=stop_rule)
    detector.set_enabled(stop_rule, True)
    detector.retro_hunt()  # the look-back is relative to now: the story is older
    detector2 = Detector(data_dir)
    detector2.hunt(None)
    assert list_alerts(detector2.state, rule_id=stop_rule)


def test_cli_detect_alerts_and_config(tmp_path: Path) -> None:
    from trailhound.cli import app
    from trailhound.cli_detect import register

    if "detect" not in {c.name for c in app.registered_commands}:
        register(app)
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    result = runner.invoke(app, [*base, "detect", "--since", "all", "--format", "json"])
    assert result.exit_code == 0, result.output
    alerts = orjson.loads(result.stdout)
    assert {
        "id",
        "rule_id",
        "title",
        "severity",
        "source",
        "actor",
        "account",
        "first_seen",
        "last_seen",
        "count",
        "event_ids",
    } <= set(alerts[0])
    result = runner.invoke(
        app,
        [*base, "alerts", "update", alerts[0]["id"], "--status", "resolved", "--comment", "done"],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*base, "alerts", "show", alerts[0]["id"], "-f", "json"])
    assert orjson.loads(result.stdout)["status"] == "resolved"
    assert runner.invoke(app, [*base, "config", "set", "org-accounts", "1,2"]).exit_code == 0
    assert runner.invoke(app, [*base, "config", "get", "org-accounts"]).stdout.strip() == "1,2"
    result = runner.invoke(app, [*base, "rules", "coverage", "-f", "json"])
    assert orjson.loads(result.stdout)["rules"] >= 60
