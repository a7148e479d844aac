"""``trailhound analytics``: train, profile, list, findings; and the training setting."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import run
from tests.conftest import make_record, write_log

ALICE = "arn:aws:iam::111122223333:user/alice"


def test_train_then_profile(store: Path) -> None:
    code, output = run(store, "analytics", "train", "--since", "3650d")
    assert code == 0, output
    assert "trained on 8 events" in output and "1 actor" in output and "1 access_key" in output
    code, output = run(store, "analytics", "profile", ALICE, "--json")
    assert code == 0, output
    shown = orjson.loads(output)
    assert shown["events"] == 8 and shown["denied"] == 1
    assert [v["value"] for v in shown["facets"]["api"]] == [
        "iam.amazonaws.com:ListUsers",
        "iam.amazonaws.com:CreateAccessKey",
    ]
    assert [v["value"] for v in shown["facets"]["region"]] == ["us-east-1"]
    code, output = run(store, "analytics", "profile", "111122223333", "--scope", "account")
    assert code == 0 and "account 111122223333: 8 events" in output
    code, output = run(store, "analytics", "profile", "arn:aws:iam::111122223333:user/nobody")
    assert code == 1 and "no profile" in output
    code, output = run(store, "analytics", "profile", ALICE, "--scope", "planet")
    assert code == 2


def test_list_findings_and_the_training_setting(store: Path) -> None:
    code, output = run(store, "analytics", "list")
    assert code == 0 and "analytics.tor_api_call" in output and "T1552.005" in output
    code, output = run(store, "analytics", "findings")
    assert code == 0 and "analytics." not in output  # nothing unusual in eight plain events
    assert run(store, "config", "set", "analytics-training", "7d")[0] == 0
    assert run(store, "config", "set", "analytics-training", "soon")[0] == 2


def test_analytics_alerts_explain_themselves_and_detect_narrows(tmp_path: Path) -> None:
    tor = "185.220.101.1"  # an exit in the shipped list
    write_log(
        tmp_path / "logs",
        [
            make_record(0, sourceIPAddress=tor, eventName="GetCallerIdentity",
                        eventSource="sts.amazonaws.com"),
            make_record(1, eventName="StopLogging", eventSource="cloudtrail.amazonaws.com",
                        readOnly=False),
        ],
    )  # fmt: skip
    store = tmp_path / "store"
    assert run(store, "ingest", str(tmp_path / "logs"))[0] == 0

    code, output = run(store, "detect", "--since", "all", "--only", "analytics", "-f", "json")
    assert code == 0, output
    analytics = orjson.loads(output.split("\nshowing")[0])
    assert {a["source"] for a in analytics} == {"analytics"}
    [alert] = [a for a in analytics if a["rule_id"] == "analytics.tor_api_call"]
    assert alert["explanation"] == (
        f"{ALICE} called GetCallerIdentity (sts.amazonaws.com) from the Tor exit {tor}; "
        "user agent: aws-cli/2.15.0"
    )
    code, output = run(store, "detect", "--since", "all", "--only", "rules", "-f", "json")
    assert code == 0, output
    rules = orjson.loads(output.split("\nshowing")[0])
    assert rules and {a["source"] for a in rules} == {"rule"}
    assert all(a["explanation"] is None for a in rules)
    code, output = run(store, "detect", "--since", "all", "-f", "json")
    both = orjson.loads(output.split("\nshowing")[0])
    assert {a["id"] for a in both} == {a["id"] for a in analytics} | {a["id"] for a in rules}
    assert run(store, "detect", "--only", "everything")[0] != 0

    code, output = run(store, "alerts", "show", alert["id"])
    assert code == 0 and f"explanation: {alert['explanation']}" in output
    query = 'dataset = alerts | filter source = "analytics" | fields rule_id, explanation'
    code, output = run(store, "query", query, "--format", "json")
    assert code == 0, output
    assert {"rule_id": "analytics.tor_api_call", "explanation": alert["explanation"]} in (
        orjson.loads(output)
    )
