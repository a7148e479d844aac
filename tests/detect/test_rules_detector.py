"""The rule set as a detector: enabled rules, retro-hunts of rules new to a data directory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from detect_support import complete_event, ingest_records

from trailhound.data_dir import DataDir
from trailhound.detect.base import BatchContext, DetectorContext
from trailhound.detect.rules_detector import (
    DEFAULT_RETRO_HUNT,
    RETRO_HUNT,
    SigmaDetector,
    retro_hunt_window,
)
from trailhound.errors import DetectError
from trailhound.store.duckdb import DuckDBBackend
from trailhound.store.state import StateDB

LOCAL = "5c1a0f3e-2b4d-4c8e-9f00-000000000001"
RULE = (
    f"title: Trail stopped (local rule)\nid: {LOCAL}\nlogsource: {{product: aws}}\n"
    "detection:\n  sel: {eventName: StopLogging}\n  condition: sel\nlevel: high\n"
)


def _recent_stop(event_id: str, hours_ago: int) -> dict[str, object]:
    when = datetime.now(UTC) - timedelta(hours=hours_ago)
    event = complete_event(
        {"eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com"}, event_id
    )
    return event | {"eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_the_retro_hunt_window_is_a_setting_read_by_the_one_parser() -> None:
    assert retro_hunt_window(None) == DEFAULT_RETRO_HUNT
    assert retro_hunt_window("1d12h") == timedelta(hours=36)
    with pytest.raises(DetectError, match="setting retro-hunt: bad duration"):
        retro_hunt_window("a month")


def test_a_rule_new_here_hunts_the_look_back_once(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "store")
    ingest_records(data_dir, [_recent_stop("old", 72), _recent_stop("older", 24 * 40)])
    StateDB(data_dir.state_db).set_setting(RETRO_HUNT, "7d")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "stop.yml").write_text(RULE)
    context = DetectorContext(data_dir, rule_dirs=(rules,))
    detector = SigmaDetector(context)
    found = [m for m in detector.retro_hunt() if m.rule_id == LOCAL]
    assert [m.event_id for m in found] == ["old"]  # within the week, not 40 days back
    assert SigmaDetector(context).retro_hunt() == []  # hunted once: never again
    # A batch shows every enabled rule its events, whatever was hunted.
    with DuckDBBackend.open(data_dir) as lake:
        batch = BatchContext(lake.con, "cloudtrail")
        assert {
            m.event_id for m in SigmaDetector(context).on_batch(batch) if m.rule_id == LOCAL
        } == {"old", "older"}


def test_only_known_rules_are_enabled_or_disabled(data_dir: DataDir) -> None:
    detector = SigmaDetector(DetectorContext(data_dir))
    with pytest.raises(DetectError, match="no rule 'nope'"):
        detector.set_enabled("nope", False)
    some = detector.ruleset.alerting_ids()[0]
    detector.set_enabled(some, False)
    assert some not in SigmaDetector(DetectorContext(data_dir)).ruleset.alerting_ids()
    assert some in detector.infos()  # a disabled rule's alerts still show what it was
