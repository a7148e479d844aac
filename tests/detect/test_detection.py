"""Streaming (on ingest) and hunting produce the same alerts; retro-hunts; the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from detect_support import complete_event, detection, ingest_records
from tests.conftest import install_plugin
from typer.testing import CliRunner

from trailhound.data_dir import DataDir
from trailhound.detect.base import DETECTORS, Detector
from trailhound.detect.rules_detector import SigmaDetector
from trailhound.errors import DetectError
from trailhound.incidents.alerts import AlertStore
from trailhound.registry import Registry
from trailhound.store.state import StateDB


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


def _alerts(data_dir: DataDir) -> AlertStore:
    return AlertStore(StateDB(data_dir.state_db))


def _summary(data_dir: DataDir) -> set[tuple[str, str, int, tuple[str, ...]]]:
    return {
        (a["rule_id"], a["actor"] or "", a["count"], tuple(sorted(a["event_ids"])))
        for a in _alerts(data_dir).list_alerts(limit=1000)
    }


def test_streaming_equals_hunting(tmp_path: Path) -> None:
    streamed = DataDir(tmp_path / "streamed")
    with_hook = detection(streamed)
    events = _story()
    for chunk in (events[:3], events[3:7], events[7:]):  # three ingest batches
        ingest_records(streamed, chunk, detection=with_hook)
    hunted = DataDir(tmp_path / "hunted")
    ingest_records(hunted, events)
    detection(hunted).hunt(None)
    assert _summary(streamed) == _summary(hunted)
    titles = {a["title"] for a in _alerts(hunted).list_alerts()}
    assert "Repeated failed console sign-ins" in titles
    assert "CloudTrail trail stopped or deleted" in titles
    assert "Access key created for another user" in titles


def test_rerun_does_not_duplicate_and_suppression_merges(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    detectors = detection(data_dir)
    first = detectors.hunt(None)
    assert detectors.hunt(None) == []
    stopped = [a for a in first if a["title"] == "CloudTrail trail stopped or deleted"]
    assert len(stopped) == 1 and stopped[0]["count"] == 2  # one alert, two events


def test_status_and_comments(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    alert = detection(data_dir).hunt(None)[0]
    alerts = _alerts(data_dir)
    alerts.update(alert["id"][:10], status="in_progress", comment="looking")
    shown = alerts.get(alert["id"])
    assert shown["status"] == "in_progress"
    assert [c["text"] for c in shown["comments"]][-1] == "looking"
    with pytest.raises(DetectError):
        alerts.update(alert["id"], status="bogus")


def test_retro_hunt_on_enable(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path)
    ingest_records(data_dir, _story())
    detectors = detection(data_dir)
    sigma = detectors.detector("sigma")
    assert isinstance(sigma, SigmaDetector)
    stop_rule = next(r.id for r in sigma.all_rules.rules if "stopped or deleted" in r.title)
    sigma.set_enabled(stop_rule, False)
    detectors.hunt(None)
    assert not _alerts(data_dir).list_alerts(rule_id=stop_rule)
    sigma.set_enabled(stop_rule, True)
    detectors.raise_matches(sigma, sigma.retro_hunt())  # relative to now: the story is older
    detection(data_dir).hunt(None)
    assert _alerts(data_dir).list_alerts(rule_id=stop_rule)


def test_cli_detect_alerts_and_config(tmp_path: Path) -> None:
    from trailhound.cli import app

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
    accounts = "111122223333,444455556666"  # set checks them: 12-digit account IDs
    assert runner.invoke(app, [*base, "config", "set", "org-accounts", accounts]).exit_code == 0
    assert runner.invoke(app, [*base, "config", "get", "org-accounts"]).stdout.strip() == accounts
    result = runner.invoke(app, [*base, "rules", "coverage", "-f", "json"])
    assert orjson.loads(result.stdout)["rules"] >= 60


def test_detect_since_takes_every_duration_the_other_commands_take(tmp_path: Path) -> None:
    from trailhound.cli import app

    ingest_records(DataDir(tmp_path), _story())
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    result = runner.invoke(app, [*base, "detect", "--since", "1h30m", "--format", "json"])
    assert result.exit_code == 0, result.output  # the story is older: nothing in the window
    assert orjson.loads(result.stdout) == []
    assert runner.invoke(app, [*base, "detect", "--since", "soon"]).exit_code != 0
    assert runner.invoke(app, [*base, "config", "set", "retro-hunt", "soon"]).exit_code != 0
    assert runner.invoke(app, [*base, "config", "set", "retro-hunt", "1d12h"]).exit_code == 0


# A third party's detector, as its own distribution would ship it: it alerts on trails stopped.
THIRD_PARTY = """
from trailhound.model import Match, RuleInfo

_QUERY = (
    "SELECT event_id, event_time, actor, account, aws_region, source_ip_address "
    "FROM {relation} WHERE event_name = 'StopLogging'"
)


def _matches(rows):
    return [Match("thirdparty-stop", e, t, a, acct, r, ip, None) for e, t, a, acct, r, ip in rows]


class TrailStopDetector:
    name = "thirdparty.trail-stop"

    def __init__(self, context):
        self.context = context

    def infos(self):
        return {"thirdparty-stop": RuleInfo("Trail stopped (third party)", "low", source="vendor")}

    def on_batch(self, batch):
        return _matches(batch.con.execute(_QUERY.format(relation=batch.relation)).fetchall())

    def finish(self):
        return []

    def hunt(self, backend, since, only=None):
        if only is not None and "thirdparty-stop" not in only:
            return []
        return _matches(backend.execute(_QUERY.format(relation="cloudtrail")).rows)
"""


def test_a_third_party_detector_runs_on_ingest_and_in_hunts_like_the_built_ins(
    tmp_path: Path, plugin_site: Path
) -> None:
    install_plugin(
        plugin_site,
        "thirdparty_detector",
        THIRD_PARTY,
        {
            "trailhound.detectors": {
                "thirdparty.trail-stop": "thirdparty_detector:TrailStopDetector"
            }
        },
    )
    # A registry as the process starts with: the built-ins and the third party alike are found
    # through their distributions' entry points.
    registry: Registry[type[Detector]] = Registry("detector", group=DETECTORS.group)
    assert registry.names() == ["analytics", "completeness", "sigma", "thirdparty.trail-stop"]
    events = _story()
    streamed = DataDir(tmp_path / "streamed")
    hook = detection(streamed, registry=registry)
    for chunk in (events[:3], events[3:7], events[7:]):
        ingest_records(streamed, chunk, detection=hook)
    hunted = DataDir(tmp_path / "hunted")
    ingest_records(hunted, events)
    detection(hunted, registry=registry).hunt(None)
    assert _summary(streamed) == _summary(hunted)
    for data_dir in (streamed, hunted):
        [alert] = _alerts(data_dir).list_alerts(rule_id="thirdparty-stop")
        assert (alert["title"], alert["source"], alert["count"]) == (
            "Trail stopped (third party)", "vendor", 2,
        )  # fmt: skip
    rule_alerts = {a["rule_id"] for a in _alerts(hunted).list_alerts(limit=1000)}
    assert "thirdparty-stop" in rule_alerts and len(rule_alerts) > 1  # the built-ins ran too
