"""Retro-hunt on new intelligence: a replaced Tor list finds yesterday's call, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.analytics.test_detector import DE, alerts, ingest, record
from trailhound.app import Trailhound
from trailhound.data_dir import DataDir

NOW = datetime.now(UTC).replace(microsecond=0)


def test_a_new_tor_list_finds_yesterdays_call_once(data_dir: DataDir, tmp_path: Path) -> None:
    ingest(
        data_dir,
        [
            record(1, NOW - timedelta(days=1), sourceIPAddress=DE),
            record(2, NOW - timedelta(days=10), sourceIPAddress=DE),  # past the 7-day look-back
            record(3, NOW - timedelta(days=1), sourceIPAddress="8.8.8.8"),
        ],
    )
    assert alerts(data_dir) == {}  # the address is not a known exit yet
    app = Trailhound(data_dir)
    tor_list = tmp_path / "tor.txt"
    tor_list.write_text(f"# today's exits\n{DE}\n")
    versions, raised = app.update_intel({"tor": tor_list})
    assert [v.list_name for v in versions] == ["tor"]
    assert [(a["rule_id"], a["event_ids"]) for a in raised] == [
        ("analytics.tor_api_call", ["00000000-0000-4000-8000-000000000001"])
    ]
    assert f"from the Tor exit {DE}" in raised[0]["explanation"]

    # the next ingest call has nothing left to retro-hunt; a longer look-back, on the next
    # replacement, reaches the older call and leaves the alert already raised as it was
    ingest(data_dir, [record(4, NOW, sourceIPAddress="8.8.8.8")], "quiet")
    assert [a["count"] for a in alerts(data_dir)["analytics.tor_api_call"]] == [1]
    app.set_setting("intel-retro-hunt", "30d")
    tor_list.write_text(f"# tomorrow's exits\n{DE}\n185.220.101.1\n")
    _, raised = app.update_intel({"tor": tor_list})
    assert [a["event_ids"] for a in raised] == [["00000000-0000-4000-8000-000000000002"]]
    found = alerts(data_dir)["analytics.tor_api_call"]
    assert sorted(a["count"] for a in found) == [1, 1]

    # switched off: a replacement hunts nothing
    app.set_setting("intel-retro-hunt", "off")
    tor_list.write_text(f"{DE}\n")
    assert app.update_intel({"tor": tor_list})[1] == []
