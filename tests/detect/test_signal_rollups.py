"""The bounded signal policy: a signal rule's matches counted per key and day, a few stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detect_support import complete_event, detection, ingest_records

from trailhound.data_dir import DataDir
from trailhound.detect.signal_rollups import SAMPLE_CAP
from trailhound.incidents.alerts import AlertStore
from trailhound.store.state import StateDB

SIGNAL = "7b000000-0000-4000-8000-000000000001"
THRESHOLD = "7b000000-0000-4000-8000-000000000002"
RULES = f"""title: Parameter read (a signal)
id: {SIGNAL}
logsource: {{product: aws, service: cloudtrail}}
detection:
  sel: {{eventName: GetParameter}}
  condition: sel
level: low
tags: [trailhound.signal]
---
title: Many deletions (threshold)
id: {THRESHOLD}
logsource: {{product: aws, service: cloudtrail}}
detection:
  sel: {{eventName: DeleteObject}}
  condition: sel
level: high
threshold: 30
"""


def _event(event_id: str, minute: int, name: str, user: str = "alice", day: int = 1) -> Any:
    event = complete_event(
        {
            "eventName": name,
            "eventSource": "ssm.amazonaws.com",
            "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::111111111111:user/{user}"},
        },
        event_id,
        minute,
    )
    return event | {"eventTime": f"2026-08-{day:02d}T10:{minute:02d}:00Z"}


def _rows(data_dir: DataDir, sql: str) -> list[tuple[Any, ...]]:
    with StateDB(data_dir.state_db).connect(read_only=True) as con:
        return con.execute(sql).fetchall()


def test_signal_matches_are_counted_per_key_and_day_and_only_the_first_stored(
    tmp_path: Path,
) -> None:
    data_dir = DataDir(tmp_path / "data")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "local.yml").write_text(RULES)
    events = [_event(f"p-{i:02d}", i, "GetParameter") for i in range(12)]
    events += [_event(f"b-{i}", i, "GetParameter", user="bob") for i in range(2)]
    events += [_event(f"n-{i}", i, "GetParameter", day=2) for i in range(3)]
    events += [_event(f"d-{i}", i, "DeleteObject") for i in range(8)]
    ingest_records(data_dir, events)
    assert detection(data_dir, rule_dirs=[rules]).hunt(None) == []
    rollups = _rows(
        data_dir,
        "SELECT group_key, CAST(day AS VARCHAR), count, event_ids, len(event_hashes) "
        f"FROM signal_rollups WHERE rule_id = '{SIGNAL}' ORDER BY 2, 1",
    )
    alice = [f"p-{i:02d}" for i in range(SAMPLE_CAP)]
    assert [(r[0].split("\x1f")[0][-5:], r[1], r[2], r[3], r[4]) for r in rollups] == [
        ("alice", "2026-08-01", 12, alice, 12),
        ("r/bob", "2026-08-01", 2, ["b-0", "b-1"], 2),
        ("alice", "2026-08-02", 3, ["n-0", "n-1", "n-2"], 3),
    ]
    # Only each rollup's first events are stored as signals; a threshold rule keeps every match.
    stored = _rows(data_dir, f"SELECT event_id FROM signals WHERE rule_id = '{SIGNAL}'")
    assert sorted(e for (e,) in stored) == sorted([*alice, "b-0", "b-1", "n-0", "n-1", "n-2"])
    assert _rows(data_dir, f"SELECT count(*) FROM signals WHERE rule_id = '{THRESHOLD}'") == [(8,)]
    store = AlertStore(StateDB(data_dir.state_db))
    assert store.signal_counts() == {SIGNAL: 17, THRESHOLD: 8}

    # A hunt run again counts nothing twice; new events grow their day's rollup.
    assert detection(data_dir, rule_dirs=[rules]).hunt(None) == []
    ingest_records(data_dir, [_event("p-late", 40, "GetParameter")])
    detection(data_dir, rule_dirs=[rules]).hunt(None)
    assert store.signal_counts() == {SIGNAL: 18, THRESHOLD: 8}
    [(count, samples)] = _rows(
        data_dir,
        "SELECT count, len(event_ids) FROM signal_rollups "
        f"WHERE rule_id = '{SIGNAL}' AND day = DATE '2026-08-01' AND group_key LIKE '%alice%'",
    )
    assert (count, samples) == (13, SAMPLE_CAP)
    assert _rows(data_dir, f"SELECT count(*) FROM signals WHERE rule_id = '{SIGNAL}'") == [(10,)]


def test_on_ingest_batches_and_a_later_hunt_agree(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data")
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "local.yml").write_text(RULES)
    on_ingest = detection(data_dir, rule_dirs=[rules])
    for batch in range(3):
        ingest_records(
            data_dir,
            [_event(f"p-{batch}-{i}", 10 * batch + i, "GetParameter") for i in range(4)],
            detection=on_ingest,
        )
    store = AlertStore(StateDB(data_dir.state_db))
    assert store.signal_counts()[SIGNAL] == 12
    detection(data_dir, rule_dirs=[rules]).hunt(None)
    assert store.signal_counts()[SIGNAL] == 12
    # Each batch stored the first events of the rollup while it had room: five in all.
    assert _rows(data_dir, f"SELECT count(*) FROM signals WHERE rule_id = '{SIGNAL}'") == [(5,)]
