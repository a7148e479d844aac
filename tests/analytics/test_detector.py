"""The analytics detectors on the real ingest loop: training, then anomalies; variations, dedup."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from trailhound.analytics.detector import AnalyticsDetector, explanations
from trailhound.analytics.framework import TRAINING_SETTING
from trailhound.analytics.profiles import load_profile, train
from trailhound.data_dir import DataDir
from trailhound.detect.base import DetectorContext
from trailhound.detect.detection import Detection
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.intel.enrichment import update_lists
from trailhound.store.state import StateDB

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
START = datetime(2026, 10, 1, 9, tzinfo=UTC)
US, DE = "8.8.8.8", "85.214.132.117"  # Google (US), Strato (DE) in the shipped lists
TOR = "185.220.101.1"


def record(n: int, when: datetime, **fields: Any) -> dict[str, Any]:
    """A CloudTrail record by alice unless ``userIdentity`` says otherwise."""
    base: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAALICE",
            "arn": ALICE,
            "accountId": ACCOUNT,
            "accessKeyId": "AKIAALICE0000000",
            "userName": "alice",
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "iam.amazonaws.com",
        "eventName": "ListUsers",
        "awsRegion": "us-east-1",
        "sourceIPAddress": US,
        "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0 exe/x86_64.ubuntu.22",
        "requestID": f"req-{n}",
        "eventID": f"00000000-0000-4000-8000-{n:012d}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    base.update(copy.deepcopy(fields))
    return base


def detection(data_dir: DataDir) -> Detection:
    """Only the analytics detector, raising alerts through the data directory's alert store."""
    detector = AnalyticsDetector(DetectorContext(data_dir))
    return Detection(data_dir, AlertStore.for_data_dir(data_dir), detectors=[detector])


def ingest(data_dir: DataDir, records: list[dict[str, Any]], name: str = "batch") -> None:
    """Through the real ingest loop, the analytics detector watching."""
    with Ingestor(data_dir, detection=detection(data_dir)) as ingestor:
        ingestor.ingest_bytes(orjson.dumps({"Records": records}), name)


def alerts(data_dir: DataDir) -> dict[str, list[dict[str, Any]]]:
    """Analytics alerts by rule ID."""
    found: dict[str, list[dict[str, Any]]] = {}
    for alert in AlertStore(StateDB(data_dir.state_db)).list_alerts(limit=1000):
        if alert["source"] == "analytics":
            found.setdefault(alert["rule_id"], []).append(alert)
    return found


def baseline(days: int = 10) -> list[dict[str, Any]]:
    """Alice's usual days: IAM and S3 in us-east-1 from the US, a console login each morning."""
    records = []
    for day in range(days):
        when = START + timedelta(days=day)
        records += [
            record(3 * day, when),
            record(3 * day + 1, when + timedelta(minutes=5), eventSource="s3.amazonaws.com",
                   eventName="GetObject", requestParameters={"bucketName": "reports"}),
            record(3 * day + 2, when - timedelta(minutes=30), eventSource="signin.amazonaws.com",
                   eventName="ConsoleLogin", responseElements={"ConsoleLogin": "Success"}),
        ]  # fmt: skip
    return records


def test_first_seen_after_training_and_silence_during_it(data_dir: DataDir) -> None:
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    early = START + timedelta(days=2, hours=3)
    during_training = record(900, early, eventSource="ec2.amazonaws.com", eventName="RunInstances")
    ingest(data_dir, [*baseline(), during_training])
    assert alerts(data_dir) == {}  # every value was new, but alice was still being learned

    day12 = START + timedelta(days=12)
    bob = {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/bob", "accountId": ACCOUNT}
    ingest(
        data_dir,
        [
            record(1000, day12, eventSource="secretsmanager.amazonaws.com",
                   eventName="GetSecretValue", awsRegion="eu-west-1", sourceIPAddress=DE),
            record(1001, day12 + timedelta(minutes=1), eventSource="secretsmanager.amazonaws.com",
                   eventName="GetSecretValue", awsRegion="eu-west-1", sourceIPAddress=DE),
            record(1002, day12 - timedelta(minutes=20), eventSource="signin.amazonaws.com",
                   eventName="ConsoleLogin", sourceIPAddress=DE,
                   responseElements={"ConsoleLogin": "Success"}),
            # a new identity: everything is new to it, nothing is unusual yet
            record(1003, day12, userIdentity=bob, eventSource="kms.amazonaws.com",
                   eventName="Decrypt", awsRegion="ap-south-1", sourceIPAddress=DE),
        ],
        "anomaly",
    )  # fmt: skip
    found = alerts(data_dir)
    assert {
        "analytics.first_service",
        "analytics.first_api",
        "analytics.first_region",
        "analytics.first_country",
        "analytics.first_asn",
        "analytics.account_first_region",
        "analytics.console_login_new_country",
        "analytics.console_login_new_ip",
    } == set(found)
    [service] = found["analytics.first_service"]
    assert service["actor"] == ALICE and service["severity"] == "low"
    # the two calls are one alert: the second was no longer a first
    assert service["count"] == 1 and service["event_ids"] == [
        "00000000-0000-4000-8000-000000001000"
    ]
    bobs = {r for r, group in found.items() for a in group if a["actor"].endswith("user/bob")}
    assert bobs == {"analytics.account_first_region"}  # new to the account, not to bob
    assert {a["account"] for a in found["analytics.account_first_region"]} == {ACCOUNT}
    # eu-west-1 is new to the account too; ap-south-1 (bob's) is new to it as well
    assert {a["resource"] for a in found["analytics.account_first_region"]} == {
        "eu-west-1",
        "ap-south-1",
    }
    why = {rule: text for _, rule, _, text in explanations(data_dir)}
    assert why["analytics.first_service"] == (
        f"{ALICE}: service secretsmanager.amazonaws.com for the first time; its baseline of "
        "12 days has 4 other service values"
    )
    assert "country DE for the first time" in why["analytics.first_country"]
    # the alert carries its first event's explanation
    [api] = found["analytics.first_api"]
    assert api["explanation"] == (
        f"{ALICE} called GetSecretValue for the first time; its baseline of 12 days has 4 "
        "distinct APIs, none in secretsmanager"
    )
    assert service["explanation"] == why["analytics.first_service"]


def test_train_rebuilds_the_profiles_the_batches_built(data_dir: DataDir) -> None:
    ingest(data_dir, baseline(4))
    streamed = load_profile(data_dir, ALICE)
    summary = train(data_dir)
    trained = load_profile(data_dir, ALICE)
    assert streamed is not None and streamed == trained
    assert summary.events == 12 and summary.subjects == {
        "actor": 1,
        "account": 1,
        "access_key": 1,
        "person": 1,
    }
    assert [v for v, *_ in trained.facets["service"]] == [
        "iam.amazonaws.com",
        "s3.amazonaws.com",
        "signin.amazonaws.com",
    ]
    assert trained.facets["bucket"][0][0] == "reports" and trained.facets["country"][0][0] == "US"
    assert [v for v, *_ in trained.facets["console_ip"]] == [US]
    assert trained.events == 12 and trained.hours_active == 8
    # a window that leaves the first days out
    since = datetime.now(UTC) - (START + timedelta(days=2, hours=-1))
    assert train(data_dir, since).events == 6


def test_tor_exit_with_an_ordinary_agent_and_its_failed_variation(
    data_dir: DataDir, tmp_path: Path
) -> None:
    tor_list = tmp_path / "tor.txt"
    tor_list.write_text(f"# test exits\n{TOR}\n")
    update_lists(data_dir, {"tor": tor_list})
    ingest(
        data_dir,
        [
            record(1, START, sourceIPAddress=TOR, eventName="GetCallerIdentity",
                   eventSource="sts.amazonaws.com"),
            record(2, START + timedelta(minutes=1), sourceIPAddress=TOR, errorCode="AccessDenied",
                   eventName="ListSecrets", eventSource="secretsmanager.amazonaws.com"),
            record(3, START, sourceIPAddress=US),
        ],
    )  # fmt: skip
    found = alerts(data_dir)
    assert set(found) == {"analytics.tor_api_call", "analytics.tor_api_call.failed"}
    [ok], [failed] = found["analytics.tor_api_call"], found["analytics.tor_api_call.failed"]
    assert ok["severity"] == "high" and ok["source_ips"] == [TOR] and ok["count"] == 1
    assert failed["severity"] == "informational"
    assert "T1090.003" in ok["techniques"]


def test_denied_burst_variations_and_dedup(data_dir: DataDir) -> None:
    role = {
        "type": "AssumedRole",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/etl/job-1",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{ACCOUNT}:role/etl"}
        },
    }

    def denied(first: int, at: datetime, count: int, **fields: Any) -> list[dict[str, Any]]:
        return [
            record(first + i, at + timedelta(seconds=20 * i), errorCode="AccessDenied",
                   eventName=f"List{i % 4}", **fields)
            for i in range(count)
        ]  # fmt: skip

    ingest(
        data_dir,
        [
            *denied(0, START, 9),
            *denied(100, START, 9, userIdentity=role),
            *denied(200, START + timedelta(days=1), 7),  # too few to be a burst
        ],
    )
    ingest(data_dir, denied(300, START + timedelta(hours=2), 8), "later")  # within the dedup
    found = alerts(data_dir)
    assert set(found) == {"analytics.denied_burst", "analytics.denied_burst.non_human"}
    [human] = found["analytics.denied_burst"]
    assert human["severity"] == "medium" and human["count"] == 17 and human["actor"] == ALICE
    [machine] = found["analytics.denied_burst.non_human"]
    assert machine["severity"] == "low" and machine["count"] == 9


def test_instance_credentials_outside_aws_from_stratus(
    data_dir: DataDir, shared_data: Path
) -> None:
    name = "aws.credential-access.ec2-steal-instance-credentials.json"
    records = orjson.loads((shared_data / "stratus" / name).read_bytes())  # a list of records
    instance = [r for r in records if ":i-" in r["userIdentity"].get("principalId", "")]
    assert instance and {r["sourceIPAddress"] for r in instance} == {"18.236.253.47"}
    ingest(data_dir, records, "stratus")  # the attacker's address is an AWS one: nothing
    assert "analytics.instance_credentials_outside_aws" not in alerts(data_dir)

    outside = DataDir(data_dir.root.parent / "outside")
    moved = [
        {**r, "sourceIPAddress": DE} if r in instance else r for r in records
    ]  # the same calls from a public address outside AWS
    ingest(outside, moved, "stratus")
    [alert] = alerts(outside)["analytics.instance_credentials_outside_aws"]
    assert alert["resource"] == "i-786a3A8B5C0d92eF4" and alert["count"] == len(instance)
    assert alert["severity"] == "high"


def test_external_account_at_our_vpc_endpoint(data_dir: DataDir, shared_data: Path) -> None:
    lines = (shared_data / "aws-docs" / "network_activity_examples.jsonl").read_bytes().splitlines()
    records = [orjson.loads(line) for line in lines if line.strip()]
    StateDB(data_dir.state_db).set_setting("org-accounts", "123456789012")
    ingest(data_dir, records, "vpce")
    [alert] = alerts(data_dir)["analytics.vpce_external_account"]
    external = [r for r in records if r["userIdentity"]["accountId"] != "123456789012"]
    assert external and alert["count"] == len({r["eventID"] for r in external})
    assert alert["resource"] == external[0]["vpcEndpointId"]
    why = {rule: text for _, rule, _, text in explanations(data_dir)}
    assert "account 777788889999" in why["analytics.vpce_external_account"]


def test_a_hunt_runs_the_event_detectors_over_the_lake(data_dir: DataDir, tmp_path: Path) -> None:
    with Ingestor(data_dir) as ingestor:  # stored without detection
        ingestor.ingest_bytes(
            orjson.dumps({"Records": [record(1, START, sourceIPAddress=TOR)]}), "x"
        )
    tor_list = tmp_path / "tor.txt"
    tor_list.write_text(f"{TOR}\n")
    update_lists(data_dir, {"tor": tor_list})  # the address becomes a known exit afterwards
    hunted = detection(data_dir).hunt(None)
    assert [a["rule_id"] for a in hunted] == ["analytics.tor_api_call"]
