"""Records of the incident tests (users, role sessions, the AssumeRole between them) and the
real ingest loop with detection that turns them into alerts and incidents."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from trailhound.data_dir import DataDir
from trailhound.detect.base import DetectorContext, RuleSet
from trailhound.detect.detection import Detection
from trailhound.detect.engine import load_rules
from trailhound.detect.rules_detector import SigmaDetector
from trailhound.incidents.alerts import AlertStore
from trailhound.incidents.store import IncidentStore
from trailhound.ingest import Ingestor
from trailhound.model import Match, RuleInfo
from trailhound.store.state import StateDB

ACCOUNT = "111111111111"
T0 = datetime(2026, 8, 1, 10, tzinfo=UTC)
_ids = itertools.count()


def user(name: str, key: str) -> dict[str, Any]:
    """An IAM user's ``userIdentity``, signing with ``key``."""
    return {
        "type": "IAMUser",
        "principalId": f"AIDA{name.upper():0<16}"[:20],
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "userName": name,
    }


def session(role: str, name: str, key: str, source_identity: str | None = None) -> dict[str, Any]:
    """A role session's ``userIdentity``, signing with its temporary ``key``."""
    context: dict[str, Any] = {
        "attributes": {"creationDate": "2026-08-01T10:00:00Z", "mfaAuthenticated": "false"},
        "sessionIssuer": {
            "type": "Role",
            "principalId": "AROAEXAMPLEROLE00001",
            "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
            "accountId": ACCOUNT,
            "userName": role,
        },
    }
    if source_identity:
        context["sourceIdentity"] = source_identity
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLEROLE00001:{name}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": key,
        "sessionContext": context,
    }


def call(
    identity: dict[str, Any],
    source: str,
    name: str,
    minutes: float,
    *,
    params: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    ip: str = "198.51.100.7",
) -> dict[str, Any]:
    """One CloudTrail record, ``minutes`` after T0."""
    when = T0 + timedelta(minutes=minutes)
    return {
        "eventVersion": "1.09",
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventID": f"ev-{next(_ids):06d}",
        "eventSource": f"{source}.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.0",
        "userIdentity": identity,
        "requestParameters": params,
        "responseElements": response,
    }


def assume_role(
    caller: dict[str, Any], role: str, name: str, key: str, minutes: float
) -> dict[str, Any]:
    """``caller`` assumes ``role`` as session ``name``, receiving the temporary ``key``."""
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/{role}"
    return call(
        caller,
        "sts",
        "AssumeRole",
        minutes,
        params={"roleArn": role_arn, "roleSessionName": name, "durationSeconds": 3600},
        response={
            "credentials": {"accessKeyId": key, "expiration": "Aug 1, 2026, 11:00:00 AM"},
            "assumedRoleUser": {
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{name}",
                "assumedRoleId": f"AROAEXAMPLEROLE00001:{name}",
            },
        },
    )


def stop_logging(identity: dict[str, Any], minutes: float, trail: str = "main") -> dict[str, Any]:
    """A trail stopped: an alert of the built-in pack."""
    return call(identity, "cloudtrail", "StopLogging", minutes, params={"name": trail})


def key_for(identity: dict[str, Any], other: str, new_key: str, minutes: float) -> dict[str, Any]:
    """An access key created for another user: an alert of the built-in pack."""
    return call(
        identity,
        "iam",
        "CreateAccessKey",
        minutes,
        params={"userName": other},
        response={"accessKey": {"userName": other, "accessKeyId": new_key, "status": "Active"}},
    )


@functools.cache
def rule_pack() -> RuleSet:
    """The built-in rules, loaded once for every test (loading them is the slow part)."""
    return load_rules(())


def detection(data_dir: DataDir) -> Detection:
    """The built-in rules raising alerts in the data directory's alert store, as the CLI wires
    it (the alert store groups them into incidents)."""
    rules = SigmaDetector(DetectorContext(data_dir), ruleset=rule_pack())
    return Detection(data_dir, AlertStore.for_data_dir(data_dir), detectors=[rules])


def ingest(data_dir: DataDir, *batches: Iterable[dict[str, Any]]) -> None:
    """Ingest each batch of records through the real loop, with detection."""
    with Ingestor(data_dir, detection=detection(data_dir)) as ingestor:
        for n, records in enumerate(batches):
            ingestor.ingest_bytes(orjson.dumps({"Records": list(records)}), f"batch-{n}")


def actor_of(record: dict[str, Any]) -> str:
    """The ``actor`` column of a test record (users and role sessions)."""
    identity = record["userIdentity"]
    if identity["type"] == "AssumedRole":
        issuer = identity["sessionContext"]["sessionIssuer"]["arn"]
        return f"{issuer}/{identity['arn'].rsplit('/', 1)[-1]}"
    return str(identity["arn"])


def raise_alerts(data_dir: DataDir, *batches: list[dict[str, Any]]) -> None:
    """Store each batch of records, then record one alert per record through the data
    directory's alert store (as detection does, without running the rule pack)."""
    store = AlertStore.for_data_dir(data_dir)
    for records in batches:
        with Ingestor(data_dir) as ingestor:
            ingestor.ingest_bytes(orjson.dumps({"Records": records}), "alerts")
        matches = [
            Match(
                f"rule-{r['eventID']}",
                r["eventID"],
                datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
                actor_of(r),
                ACCOUNT,
                "us-east-1",
                r["sourceIPAddress"],
                None,
            )
            for r in records
            if r["eventName"] != "AssumeRole"
        ]
        rules = {m.rule_id: RuleInfo(f"{m.event_id} seen", "medium", ("impact",)) for m in matches}
        store.record(matches, rules)


def incidents(data_dir: DataDir) -> IncidentStore:
    """The data directory's incidents."""
    return IncidentStore(StateDB(data_dir.state_db))


def incident_of(data_dir: DataDir, principal: str) -> list[dict[str, Any]]:
    """The incidents naming a principal (an ARN's last part is enough)."""
    return [
        i
        for i in incidents(data_dir).list(limit=1000)
        if any(p.endswith(principal) for p in i["principals"] or ())
    ]
