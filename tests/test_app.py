"""The application object: the operations every front door calls, on a real data directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import make_record, write_log
from trailhound.app import Trailhound
from trailhound.data_dir import DataDir
from trailhound.durations import DurationError
from trailhound.errors import QueryError, SettingError


def _stop_logging(n: int) -> dict[str, object]:
    return make_record(
        n,
        eventName="StopLogging",
        eventSource="cloudtrail.amazonaws.com",
        requestParameters={"name": "main"},
        readOnly=False,
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store ingested through the application (once: ingest runs every rule)."""
    root = tmp_path_factory.mktemp("app")
    write_log(root / "logs", [make_record(1), make_record(2), _stop_logging(3)])
    summary = Trailhound(root / "store").ingest_paths([root / "logs"])
    assert summary.events_written == 3 and summary.quarantined == 0
    return root / "store"


@pytest.fixture
def app(ingested: Path, tmp_path: Path) -> Trailhound:
    """The application over a copy of that store, for the test to change."""
    shutil.copytree(ingested, tmp_path / "store")
    return Trailhound(tmp_path / "store")


def test_a_path_or_a_data_dir_names_the_same_place(tmp_path: Path) -> None:
    assert Trailhound(tmp_path).data_dir == Trailhound(DataDir(tmp_path)).data_dir


def test_ingest_raises_alerts_and_queries_read_the_events(app: Trailhound) -> None:
    outcome = app.query("dataset = cloudtrail | comp count() as n by eventName | sort eventName")
    assert outcome.saved is None and outcome.columns == ["eventName", "n"]
    assert outcome.rows == [("ListUsers", 2), ("StopLogging", 1)]
    alerts = app.list_alerts()
    assert alerts and {a["source"] for a in alerts} == {"rule"}
    assert app.sql("SELECT count(*) AS n FROM cloudtrail") == (["n"], [(3,)])
    stats = app.stats()
    assert stats.rows[0][:2] == ("111122223333", 3) and stats.files_ingested == 1


def test_a_hunt_finds_the_alerts_ingest_raised(app: Trailhound) -> None:
    stored = {a["id"] for a in app.list_alerts()}
    hunt = app.hunt("all")
    assert {a["id"] for a in hunt.alerts} == stored and hunt.problems == []
    assert {a["id"] for a in app.list_alerts()} == stored  # nothing stored twice
    assert app.hunt("1h30m").alerts == []  # the events are older
    with pytest.raises(DurationError):
        app.hunt("soon")


def test_triage_and_the_public_view(app: Trailhound) -> None:
    alert = app.list_alerts()[0]
    updated = app.update_alert(alert["id"], status="resolved", comment="done", author="ann")
    assert updated["status"] == "resolved"
    trail = [c["text"] for c in app.get_alert(alert["id"])["comments"]]
    assert trail == ["status new → resolved", "done"]
    public = Trailhound.public_alert(updated)
    assert "dedup_key" not in public and public["id"] == alert["id"]


def test_targets_save_and_errors_name_the_place(app: Trailhound) -> None:
    saved = app.query("dataset = cloudtrail | fields eventName | target type = dataset names")
    assert saved.saved is not None and (saved.saved.kind, saved.saved.rows) == ("dataset", 3)
    assert app.query("dataset = names | comp count() as n").rows == [(3,)]
    with pytest.raises(QueryError, match="eventNme"):
        app.query("dataset = cloudtrail | filter eventNme = 1")


def test_settings_refuse_what_cannot_work(app: Trailhound) -> None:
    app.set_setting("retro-hunt", "1d12h")
    assert app.get_setting("retro-hunt") == "1d12h"
    with pytest.raises(SettingError, match="unknown setting"):
        app.set_setting("colour", "blue")
    with pytest.raises(DurationError):
        app.set_setting("retro-hunt", "soon")
    assert app.get_setting("retro-hunt") == "1d12h"


def test_rules_enable_disable_and_coverage(app: Trailhound) -> None:
    rule = next(r for r in app.rules().rules if "stopped or deleted" in r.title)
    before = app.coverage()
    assert before["rules"] >= 60 and rule.id in before["fired_rules"]
    assert app.set_rule_enabled(rule.id, False) == []
    assert app.coverage()["rules"] == before["rules"] - 1


def test_the_ledger_without_digests_finds_nothing_to_check(app: Trailhound) -> None:
    checked = app.check_ledger(silence=None, late_after=None)
    assert checked.report.digests == 0 and checked.keys_saved == 0
    assert not checked.report.signatures_checked
