"""Impossible travel between two console logins of one identity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.analytics.test_detector import ALICE, DE, START, US, alerts, ingest, record
from trailhound.analytics.framework import TRAINING_SETTING
from trailhound.data_dir import DataDir
from trailhound.intel.centroids import centroids
from trailhound.store.state import StateDB

FR = "2.3.0.1"  # an Orange (FR) range in the shipped lists
JP = "1.66.0.1"  # a JP range


def login(n: int, when: Any, ip: str, outcome: str = "Success") -> dict[str, Any]:
    return record(n, when, eventSource="signin.amazonaws.com", eventName="ConsoleLogin",
                  sourceIPAddress=ip, responseElements={"ConsoleLogin": outcome})  # fmt: skip


def test_centroids_ship_every_country_once() -> None:
    table = centroids()
    codes = table.column("country").to_pylist()
    assert len(codes) == len(set(codes)) > 240 and {"US", "DE", "FR", "JP"} <= set(codes)


def test_a_login_an_ocean_away_within_the_hour(data_dir: DataDir) -> None:
    ingest(data_dir, [login(1, START, US), login(2, START + timedelta(minutes=40), DE)])
    assert alerts(data_dir) == {}  # alice is new: her usual countries are not known yet
    day8 = START + timedelta(days=8)
    ingest(data_dir, [login(3, day8, US)], "back")
    ingest(
        data_dir,
        [
            login(4, day8 + timedelta(minutes=40), JP),  # a country she never used
            login(5, day8 + timedelta(minutes=45), DE, "Failure"),  # failed: not a login
        ],
        "later",
    )
    [alert] = alerts(data_dir)["analytics.impossible_travel"]
    assert alert["actor"] == ALICE and alert["severity"] == "high"
    assert alert["event_ids"] == ["00000000-0000-4000-8000-000000000004"]
    assert alert["resource"] == "US->JP" and alert["source_ips"] == [JP]
    assert alert["explanation"].startswith(
        f"{ALICE} signed in from JP 40 minutes after signing in from US: 10,"
    )


def test_possible_journeys_stay_silent(data_dir: DataDir) -> None:
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "1h")
    ingest(data_dir, [record(0, START - timedelta(days=1))], "known")  # alice, profiled
    ingest(
        data_dir,
        [
            login(1, START, US),
            login(2, START + timedelta(hours=12), DE),  # a night flight
            login(3, START + timedelta(hours=12, minutes=30), FR),  # a neighbour
            login(4, START + timedelta(hours=13), FR),
        ],
    )
    assert "analytics.impossible_travel" not in alerts(data_dir)
    # the same identity, trained the same way, does raise an impossible one
    ingest(data_dir, [login(5, START + timedelta(hours=13, minutes=20), JP)], "far")
    assert len(alerts(data_dir)["analytics.impossible_travel"]) == 1


def test_two_usual_countries_are_a_habit_not_a_journey(data_dir: DataDir) -> None:
    """An identity whose logins leave through a VPN in the US or in Germany, as its profile
    knows: switching between them within the hour is not travel."""
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "1h")
    ingest(data_dir, [record(0, START - timedelta(days=1))], "known")
    ingest(data_dir, [login(1, START, US), login(2, START + timedelta(days=1), DE)])
    assert "analytics.impossible_travel" not in alerts(data_dir)  # a day apart: possible
    later = START + timedelta(days=2)
    ingest(data_dir, [login(3, later, US), login(4, later + timedelta(minutes=20), DE)], "vpn")
    assert "analytics.impossible_travel" not in alerts(data_dir)
    ingest(data_dir, [login(5, later + timedelta(minutes=50), FR)], "new")  # FR: not usual
    assert "analytics.impossible_travel" not in alerts(data_dir)  # DE→FR is next door
