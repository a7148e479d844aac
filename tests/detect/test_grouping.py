"""What an alert is about: the principal behind events, rule grouping keys, signals and
thresholds declared in rules, end to end through a hunt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detect_support import complete_event, detection, ingest_records

from trailhound.data_dir import DataDir
from trailhound.detect.rules_detector import (
    SIGNAL_RULES,
    SigmaDetector,
    alerting_rule_ids,
    signal_rule_ids,
)
from trailhound.detect.sigma.loader import SigmaFormat
from trailhound.incidents.alerts import AlertStore
from trailhound.store.state import StateDB

ROLE = "arn:aws:iam::111111111111:role/lambda-etl-role"
RULES = """title: Object read (grouped by bucket)
id: 7a000000-0000-4000-8000-000000000001
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetObject}
  condition: sel
level: medium
group_by: [principal, requestParameters.bucketName]
---
title: Parameter read (a signal)
id: 7a000000-0000-4000-8000-000000000002
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: GetParameter}
  condition: sel
level: low
tags: [trailhound.signal]
---
title: Many deletions (threshold)
id: 7a000000-0000-4000-8000-000000000003
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: DeleteObject}
  condition: sel
level: high
threshold: 4
dedup_period: 10m
"""


def _role_event(event_id: str, minute: int, session: str, name: str, **extra: Any) -> Any:
    identity = {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{session}",
        "arn": f"arn:aws:sts::111111111111:assumed-role/lambda-etl-role/{session}",
        "accountId": "111111111111",
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": ROLE, "userName": "lambda-etl-role"}
        },
    }
    event = {"eventName": name, "eventSource": "s3.amazonaws.com", "userIdentity": identity}
    return complete_event(event | extra, event_id, minute)


def _write_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "local.yml").write_text(RULES)
    return folder


def test_rules_declare_grouping_signals_and_thresholds(tmp_path: Path) -> None:
    loaded = SigmaFormat().load_file(_write_rules(tmp_path) / "local.yml")
    assert not loaded.problems
    grouped, signal, burst = loaded.rules
    assert grouped.alert_group_by == ("principal", "requestParameters.bucketName")
    assert grouped.group is not None and not grouped.signal
    assert signal.signal and signal.group is None
    assert (burst.threshold, burst.suppression.total_seconds()) == (4, 600)
    bad = tmp_path / "bad.yml"
    bad.write_text(RULES.split("---")[0].replace("group_by: [principal, ", "threshold: 0\n#"))
    [problem] = SigmaFormat().load_file(bad).problems
    assert "invalid threshold" in problem.reason


def test_a_hunt_groups_by_role_not_session_and_keeps_signals_apart(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data")
    events = [
        _role_event(f"get-{i}", i, f"session-{i}", "GetObject",
                    requestParameters={"bucketName": "logs" if i % 2 else "data", "key": "k"})
        for i in range(10)
    ]  # fmt: skip
    events += [_role_event(f"param-{i}", i, "s", "GetParameter") for i in range(3)]
    events += [_role_event(f"del-{i}", 20 + i, f"d{i}", "DeleteObject") for i in range(3)]
    ingest_records(data_dir, events)
    rules = _write_rules(tmp_path)
    alerts = detection(data_dir, rule_dirs=[rules]).hunt(None)
    grouped = [a for a in alerts if a["title"].startswith("Object read")]
    # Ten sessions of one role reading two buckets: two alerts (one per bucket), not ten.
    assert sorted((a["group_values"][1], a["count"], len(a["sessions"])) for a in grouped) == [
        ("data", 5, 5), ("logs", 5, 5),
    ]  # fmt: skip
    assert {a["principal"] for a in grouped} == {ROLE}
    # Three deletions are below the threshold of four; the signal rule raised nothing.
    assert not [a for a in alerts if a["title"].startswith(("Many", "Parameter"))]
    store = AlertStore(StateDB(data_dir.state_db))
    counts = {k: v for k, v in store.signal_counts().items() if k.startswith("7a000000")}
    assert counts == {"7a000000-0000-4000-8000-000000000002": 3,
                      "7a000000-0000-4000-8000-000000000003": 3}  # fmt: skip
    # A fourth deletion within ten minutes reaches it: one alert holding all four.
    ingest_records(data_dir, [_role_event("del-3", 25, "d3", "DeleteObject")])
    [burst] = [a for a in detection(data_dir, rule_dirs=[rules]).hunt(None) if "Many" in a["title"]]
    assert burst["count"] == 4 and burst["event_ids"] == ["del-0", "del-1", "del-2", "del-3"]
    assert detection(data_dir, rule_dirs=[rules]).hunt(None) == []  # nothing twice


def test_signal_rules_by_setting(data_dir: DataDir) -> None:
    assert "905d389b-b853-46d0-9d3d-dea0d3a3cd49" in signal_rule_ids(None)  # SigmaHQ's, by ID
    assert signal_rule_ids("abc, -905d389b-b853-46d0-9d3d-dea0d3a3cd49") >= {"abc"}
    assert "905d389b-b853-46d0-9d3d-dea0d3a3cd49" not in signal_rule_ids(
        "-905d389b-b853-46d0-9d3d-dea0d3a3cd49"
    )
    StateDB(data_dir.state_db).set_setting(SIGNAL_RULES, "cloudtrail_created")
    sigma = detection(data_dir).detector("sigma")
    assert isinstance(sigma, SigmaDetector)
    created = next(r for r in sigma.all_rules.rules if r.name == "cloudtrail_created")
    assert sigma.infos()[created.id].signal
    assert not any(i.signal for r, i in sigma.infos().items() if r != created.id and i.title ==
                   "CloudTrail trail stopped or deleted")  # fmt: skip


def _root_sign_in(event_id: str, minute: int, address: str) -> dict[str, Any]:
    return complete_event(
        {
            "eventSource": "signin.amazonaws.com",
            "eventName": "ConsoleLogin",
            "eventType": "AwsConsoleSignIn",
            "sourceIPAddress": address,
            "additionalEventData": {"MFAUsed": "Yes", "MobileVersion": "No"},
            "responseElements": {"ConsoleLogin": "Success"},
            "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111111111111:root"},
        },
        event_id,
        minute,
    )


def test_a_declared_signal_alerts_again_by_setting(data_dir: DataDir) -> None:
    assert alerting_rule_ids("abc, -root_console_login_mfa , -x") == {"root_console_login_mfa", "x"}
    ingest_records(data_dir, [_root_sign_in("root-1", 1, "198.51.100.7")])
    # Root with MFA from one address is a signal: stored, no alert.
    assert detection(data_dir).hunt(None) == []
    store = AlertStore(StateDB(data_dir.state_db))
    assert sum(store.signal_counts().values()) == 1
    # An organization that never uses root turns the signal back into an alert by name.
    StateDB(data_dir.state_db).set_setting(SIGNAL_RULES, "-root_console_login_mfa")
    sigma = detection(data_dir).detector("sigma")
    assert isinstance(sigma, SigmaDetector)
    rule = next(r for r in sigma.all_rules.rules if r.name == "root_console_login_mfa")
    assert not sigma.infos()[rule.id].signal


def test_root_with_mfa_from_a_second_address_alerts(data_dir: DataDir) -> None:
    ingest_records(
        data_dir,
        [_root_sign_in("root-1", 1, "198.51.100.7"), _root_sign_in("root-2", 9, "198.51.100.7")],
    )
    assert detection(data_dir).hunt(None) == []
    ingest_records(data_dir, [_root_sign_in("root-3", 30, "203.0.113.50")])
    alerts = detection(data_dir).hunt(None)
    assert [a["title"] for a in alerts] == ["Root signed in from several addresses in a day"]
    assert set(alerts[0]["event_ids"]) >= {"root-3"}


def test_the_noisy_sigmahq_rules_are_signals_by_default() -> None:
    defaults = signal_rule_ids(None)
    # Console login without MFA, security-group modification, bucket enumeration, root
    # credentials, failed console authentication (docs/detection-coverage.md says why, each).
    assert {
        "77caf516-34e5-4df9-b4db-20744fea0a60",
        "6fb77778-040f-4015-9440-572aa9b6b580",
        "f305fd62-beca-47da-ad95-7690a0620084",
        "8ad1600d-e9dc-4251-b0ee-a65268f29add",
        "6393e346-1977-46ef-8987-ad414a145fad",
    } <= defaults


def test_the_pack_context_rules_are_signals() -> None:
    from trailhound.detect.engine import load_rules

    signals = {r.name for r in load_rules().rules if r.signal}
    assert {"secret_read", "ssm_parameter_decrypted", "instance_credentials_used_outside"} <= (
        signals
    )
    # Routine on benign traffic (bench/noise.py): changes and sign-ins that are context.
    assert {
        "security_group_changed",
        "rds_snapshot_created",
        "console_login_failure",
        "root_console_login_mfa",
    } <= signals
    assert len(signals) >= 8
