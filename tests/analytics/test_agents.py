"""User agents: a new client family for an identity, attack tooling from an unexpected one; and
bursts of VPC endpoint policy denials."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson

from tests.analytics.test_detector import ACCOUNT, ALICE, START, alerts, baseline, ingest, record
from trailhound.analytics.framework import TRAINING_SETTING
from trailhound.analytics.profiles import train
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.store.state import StateDB

PACU = "aws-cli/1.16.301 Python/3.9.2 Linux/5.10 botocore/1.13.37 Pacu/1.5"
SCANNER = {
    "type": "AssumedRole",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/security-audit/prowler",
    "accountId": ACCOUNT,
    "sessionContext": {
        "sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{ACCOUNT}:role/security-audit"}
    },
}


def test_new_client_family_after_training_not_a_new_version(data_dir: DataDir) -> None:
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    ingest(data_dir, baseline())
    day11 = START + timedelta(days=11)
    ingest(
        data_dir,
        [
            record(500, day11, userAgent="aws-cli/2.99.0 Python/3.13 Linux/6.9"),  # an upgrade
            record(501, day11, userAgent="Boto3/1.34.1 md/Botocore#1.34.1 Python/3.12"),
        ],
        "new",
    )
    [alert] = alerts(data_dir)["analytics.new_user_agent"]
    assert alert["event_ids"] == ["00000000-0000-4000-8000-000000000501"]
    assert alert["resource"] == "boto3" and alert["severity"] == "low"
    assert alert["explanation"].startswith(f"{ALICE}: agent boto3 for the first time")


def test_attack_tooling_from_an_unexpected_identity(data_dir: DataDir) -> None:
    prowler = "prowler/4.2.1 aws-cli/2.15 Python/3.11"
    scans = [
        record(100 + d, START + timedelta(days=d), userIdentity=SCANNER, userAgent=prowler)
        for d in range(10)
    ]  # the audit role runs Prowler every day: history, stored, then learned
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_bytes(orjson.dumps({"Records": scans}), "history")
    train(data_dir)
    day10 = START + timedelta(days=10)
    ingest(
        data_dir,
        [
            record(200, day10, userIdentity=SCANNER, userAgent=prowler),
            record(201, day10, userAgent=PACU, eventName="GetAccountAuthorizationDetails"),
            record(202, day10 + timedelta(minutes=1), userAgent=PACU),
        ],
        "day10",
    )
    [pacu] = alerts(data_dir)["analytics.attack_tool_user_agent"]  # not the scanner's run
    assert pacu["actor"] == ALICE and pacu["count"] == 2 and pacu["severity"] == "high"
    assert pacu["resource"] == "Pacu"
    assert "with Pacu (user agent: aws-cli/1.16.301" in pacu["explanation"]

    # a scanner younger than the training period is not expected yet
    fresh = DataDir(data_dir.root.parent / "fresh")
    ingest(fresh, scans[-3:])
    [young] = alerts(fresh)["analytics.attack_tool_user_agent"]
    assert young["resource"] == "Prowler" and young["count"] == 3  # each run a day after the last


def test_vpce_denied_burst(data_dir: DataDir) -> None:
    def denied(n: int, at: Any, **extra: Any) -> dict[str, Any]:
        return record(n, at, errorCode="VpceAccessDenied", eventSource="s3.amazonaws.com",
                      eventName="GetObject", vpcEndpointId="vpce-0abc",
                      vpcEndpointAccountId=ACCOUNT, eventType="AwsVpceEvent", **extra)  # fmt: skip

    ingest(
        data_dir,
        [
            *(denied(i, START + timedelta(seconds=30 * i)) for i in range(6)),
            *(denied(100 + i, START + timedelta(days=1, hours=i)) for i in range(6)),  # spread
        ],
    )
    [alert] = alerts(data_dir)["analytics.vpce_denied_burst"]
    assert alert["count"] == 6 and alert["resource"] == "vpce-0abc"
    assert alert["explanation"].startswith(
        f"{ALICE} of account {ACCOUNT} had 6 calls refused by VPC endpoint policies within 10 "
        "minutes of this one (1 endpoint); this one: GetObject (s3.amazonaws.com) through "
        "vpce-0abc"
    )
