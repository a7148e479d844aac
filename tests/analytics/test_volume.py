"""Unusual hourly volume of an identity (all events, data events) and of a VPC endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.analytics.test_detector import ALICE, START, alerts, ingest, record
from trailhound.analytics.detector import explanations
from trailhound.data_dir import DataDir

DATA_READ = {
    "eventSource": "s3.amazonaws.com",
    "eventName": "GetObject",
    "managementEvent": False,
    "eventCategory": "Data",
    "requestParameters": {"bucketName": "reports"},
}


def usual_hours(days: int = 10) -> list[dict[str, Any]]:
    """Four active hours a day of four to six calls each, the first an object read: 40 hours
    of history."""
    records, n = [], 0
    for day in range(days):
        for hour in (9, 11, 14, 16):
            for i in range(4 + (day + hour) % 3):
                when = START.replace(hour=hour) + timedelta(days=day, minutes=i)
                records.append(record(n, when, **(DATA_READ if i == 0 else {})))
                n += 1
    return records


def burst(first: int, at: Any, count: int, **fields: Any) -> list[dict[str, Any]]:
    return [record(first + i, at + timedelta(seconds=10 * i), **fields) for i in range(count)]


def test_an_hour_far_above_the_baseline_and_its_data_variation(data_dir: DataDir) -> None:
    ingest(data_dir, usual_hours())
    assert alerts(data_dir) == {}
    day10 = START.replace(hour=10) + timedelta(days=10)
    ingest(
        data_dir,
        [
            *burst(10_000, day10, 30),  # busy, but under the floor: nothing
            *burst(20_000, day10 + timedelta(hours=3), 250, **DATA_READ),
            *burst(30_000, day10 + timedelta(hours=5), 200),
        ],
        "busy",
    )
    found = alerts(data_dir)
    assert set(found) == {"analytics.unusual_volume", "analytics.unusual_volume.data_events"}
    [hours] = found["analytics.unusual_volume"]  # two unusual hours, one alert (dedup)
    assert hours["count"] == 2 and hours["actor"] == ALICE and hours["severity"] == "medium"
    assert hours["account"] == "111122223333"
    [data] = found["analytics.unusual_volume.data_events"]
    assert data["count"] == 1 and data["severity"] == "high"
    assert data["event_ids"] == ["00000000-0000-4000-8000-000000020000"]
    why = {rule: text for _, rule, _, text in explanations(data_dir)}
    assert why["analytics.unusual_volume.data_events"].startswith(
        f"{ALICE}: 250 data events in the hour from 2026-10-11 13:00 UTC"
    )
    assert "median of 5 per hour" in hours["explanation"]

    # the same hour growing in a later batch is not reported again
    ingest(data_dir, burst(40_000, day10 + timedelta(hours=5, minutes=50), 50), "more")
    assert alerts(data_dir)["analytics.unusual_volume"][0]["count"] == 2


def test_silent_while_training(data_dir: DataDir) -> None:
    day3 = START.replace(hour=10) + timedelta(days=3)
    ingest(data_dir, [*usual_hours(3), *burst(10_000, day3, 400)])
    assert alerts(data_dir) == {}  # three days and 12 hours of history: still learning


def test_endpoint_volume(data_dir: DataDir) -> None:
    vpce = {"vpcEndpointId": "vpce-0abc", "vpcEndpointAccountId": "111122223333"}
    usual = [{**r, **vpce} for r in usual_hours()]
    ingest(data_dir, usual)
    day10 = START.replace(hour=10) + timedelta(days=10)
    ingest(data_dir, burst(50_000, day10, 300, **vpce), "exfil")
    [alert] = alerts(data_dir)["analytics.endpoint_volume"]
    assert alert["resource"] == "vpce-0abc" and alert["count"] == 1
    assert alert["explanation"].startswith(
        "vpce-0abc: 300 calls through the endpoint in the hour from 2026-10-11 10:00 UTC"
    )
