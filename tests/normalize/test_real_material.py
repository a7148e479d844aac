"""Every real CloudTrail record in ../shared/data ingests with its fields intact.

The records were written by others (Stratus Red Team detonations, Panther's rule tests, the AWS
documentation): those with an ``eventTime`` and an ``eventName`` must land in the lake with their
fields round-tripping; the partial ones must land in quarantine with a reason, and so must the
rule-test records whose ``recipientAccountId`` is not a 12-digit account ID (``987654321``,
``<organization master account ID>``): it names the lake's account partition.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.normalize.key_case import repair_key_case
from trailhound.store.engine import QueryEngine


def _real_records(shared: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted((shared / "stratus").glob("*.json")):
        records += orjson.loads(path.read_bytes())
    for line in (shared / "panther" / "cases.jsonl").read_bytes().splitlines():
        records.append(orjson.loads(line)["log"])
    for line in (shared / "aws-docs" / "network_activity_examples.jsonl").read_bytes().splitlines():
        records.append(orjson.loads(line))
    return records


def _complete(record: dict[str, Any]) -> bool:
    fixed = repair_key_case(record) or record
    return bool(fixed.get("eventTime")) and bool(fixed.get("eventName"))


def _valid_account(record: dict[str, Any]) -> bool:
    account = (repair_key_case(record) or record).get("recipientAccountId")
    return account is None or re.fullmatch(r"[0-9]{12}", str(account)) is not None


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], DataDir]:
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip(f"{shared} is absent: real CloudTrail material lives beside the repo")
    records = _real_records(shared)
    data_dir = DataDir(tmp_path_factory.mktemp("real") / "store")
    source = tmp_path_factory.mktemp("in") / "real.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(r) for r in records))
    with Ingestor(data_dir) as ingestor:
        summary = ingestor.ingest_paths([source])
    assert summary.records == len(records)
    return records, data_dir


def test_complete_records_ingest_partial_ones_quarantine(
    ingested: tuple[list[dict[str, Any]], DataDir],
) -> None:
    records, data_dir = ingested
    complete = [i for i, r in enumerate(records) if _complete(r) and _valid_account(r)]
    partial = [i for i, r in enumerate(records) if not _complete(r)]
    odd_account = [i for i, r in enumerate(records) if _complete(r) and not _valid_account(r)]
    assert len(records) == 551 and partial and odd_account  # the material has all three kinds
    with QueryEngine(data_dir) as engine:
        stored = {int(i) for (i,) in engine.execute("SELECT source_index FROM cloudtrail")[1]}
        quarantined = dict(engine.execute("SELECT position, reason FROM quarantine")[1])
    assert stored == set(complete)
    assert set(quarantined) == set(partial) | set(odd_account)
    assert {quarantined[i] for i in partial} <= {"missing eventTime", "missing eventName"}
    for i in odd_account:
        assert quarantined[i].startswith("recipientAccountId is not a 12-digit account ID: ")


def _utc(text: str) -> datetime:
    text = text.replace(" ", "T").replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def test_fields_round_trip(ingested: tuple[list[dict[str, Any]], DataDir]) -> None:
    records, data_dir = ingested
    with QueryEngine(data_dir) as engine:
        columns, rows = engine.execute(
            "SELECT source_index, raw, event_time, event_name, event_source, aws_region, "
            "source_ip_address, error_code, event_id, user_type, user_arn, session_issuer_arn, "
            "request_parameters, event_category, vpc_endpoint_id, actor FROM cloudtrail"
        )
    assert rows
    for row in rows:
        got = dict(zip(columns, row, strict=True))
        original = records[got["source_index"]]
        assert orjson.loads(got["raw"]) == original  # lossless
        record = repair_key_case(original) or original
        identity = record.get("userIdentity") or {}
        issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
        assert got["event_time"] == _utc(record["eventTime"])
        assert got["event_name"] == record["eventName"]
        assert got["event_source"] == record.get("eventSource")
        assert got["aws_region"] == record.get("awsRegion")
        assert got["source_ip_address"] == record.get("sourceIPAddress")
        assert got["error_code"] == record.get("errorCode")
        assert got["event_id"] == record["eventID"]
        assert got["user_type"] == identity.get("type")
        assert got["user_arn"] == identity.get("arn")
        assert got["session_issuer_arn"] == issuer.get("arn")
        expected_params = record.get("requestParameters")
        if expected_params is None:
            assert got["request_parameters"] is None
        else:
            assert orjson.loads(got["request_parameters"]) == expected_params
        assert got["event_category"] in {"Management", "Data", "Insight", "NetworkActivity"}
        if record.get("eventCategory"):
            assert got["event_category"] == record["eventCategory"]
        assert got["vpc_endpoint_id"] == record.get("vpcEndpointId")
        assert got["actor"]


def test_every_identity_type_has_an_actor(ingested: tuple[list[dict[str, Any]], DataDir]) -> None:
    _, data_dir = ingested
    with QueryEngine(data_dir) as engine:
        rows = engine.execute(
            "SELECT user_type, actor, user_arn, session_issuer_arn, user_account_id, "
            "user_invoked_by FROM cloudtrail"
        )[1]
    types = {row[0] for row in rows}
    assert {"AssumedRole", "IAMUser", "Root", "FederatedUser", "AWSAccount", "AWSService"} <= types
    for user_type, actor, arn, issuer, account, invoked_by in rows:
        assert actor, (user_type, arn)
        if user_type == "AssumedRole" and issuer:
            assert actor == f"{issuer}/{arn.rsplit('/', 1)[-1]}"  # role ARN + session name
        elif user_type in ("IAMUser", "Root", "FederatedUser") and arn:
            assert actor == arn
        elif user_type == "AWSAccount":
            assert actor == f"account:{account}" or actor.startswith("account:")
        elif user_type == "AWSService":
            assert actor == invoked_by or actor.endswith(".amazonaws.com")


def test_network_activity_events(ingested: tuple[list[dict[str, Any]], DataDir]) -> None:
    _, data_dir = ingested
    with QueryEngine(data_dir) as engine:
        rows = engine.execute(
            "SELECT count(*) FILTER (WHERE event_category = 'NetworkActivity'), "
            "count(*) FILTER (WHERE error_code = 'VpceAccessDenied'), "
            "count(*) FILTER (WHERE vpc_endpoint_id IS NOT NULL) FROM cloudtrail"
        )[1]
    network, denied, through_endpoint = rows[0]
    assert network >= 5 and denied >= 1 and through_endpoint >= 18
