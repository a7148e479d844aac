"""The demo data set: deterministic, laid out as CloudTrail writes it, and telling its stories."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import pathlib
import re
from typing import Any

import pytest

from trailhound.sources.digests import (
    SignatureStatus,
    find_digest_files,
    load_digest_file,
    load_public_keys,
    verify_chain,
    verify_signature,
)
from trailhound_demo import TOR_EXIT_ADDRESSES, DemoSummary, generate_demo

EVENTS = 3_000
REGION = r"[a-z]{2}-[a-z]+-\d"
LOG = re.compile(
    rf"AWSLogs/(?:o-[a-z0-9]{{10,32}}/)?(\d{{12}})/CloudTrail/({REGION})/(\d{{4}})/(\d\d)/(\d\d)/"
    r"\1_CloudTrail_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz"
)
INSIGHT = re.compile(
    rf"AWSLogs/(\d{{12}})/CloudTrail-Insight/({REGION})/(\d{{4}})/(\d\d)/(\d\d)/"
    r"\1_CloudTrail-Insight_\2_\3\4\5T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz"
)
DIGEST = re.compile(
    rf"AWSLogs/(\d{{12}})/CloudTrail-Digest/({REGION})/(\d{{4}})/(\d\d)/(\d\d)/"
    r"\1_CloudTrail-Digest_\2_[\w-]+_\2_\3\4\5T\d{6}Z\.json\.gz"
)
SIGNATURE = re.compile(DIGEST.pattern + r"\.signature")  # S3 keeps it in the object's metadata
CHECK = re.compile(r"AWSLogs/(?:\d{12}/)?(?:CloudTrail/)?ConfigWritabilityCheckFile")
KEYS = re.compile(r"cloudtrail-public-keys\.txt")  # the demo key, as list-public-keys prints it
EVENT_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
IDENTITY_TYPES = {
    "Root",
    "IAMUser",
    "AssumedRole",
    "FederatedUser",
    "AWSAccount",
    "AWSService",
    "IdentityCenterUser",
}
STORIES = {
    "trail-stopped",
    "keys-for-another-user",
    "tor-access",
    "vpce-foreign-account",
    "console-no-mfa",
    "public-bucket",
}


def tree(root: pathlib.Path) -> dict[str, bytes]:
    """Every file below ``root``, by its key (the path relative to ``root``)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def records_of(files: dict[str, bytes], pattern: re.Pattern[str]) -> list[dict[str, Any]]:
    """The records of the files whose key matches ``pattern``."""
    out: list[dict[str, Any]] = []
    for key, data in sorted(files.items()):
        if pattern.fullmatch(key):
            out += json.loads(gzip.decompress(data))["Records"]
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoSummary, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("demo")
    summary = generate_demo(root, EVENTS, seed=7)
    return summary, tree(root)


@pytest.fixture(scope="module")
def records(demo: tuple[DemoSummary, dict[str, bytes]]) -> list[dict[str, Any]]:
    return records_of(demo[1], LOG)


def test_same_seed_writes_the_same_bytes(
    tmp_path: pathlib.Path, demo: tuple[DemoSummary, dict[str, bytes]]
) -> None:
    summary, files = demo
    again = generate_demo(tmp_path, EVENTS, seed=7)
    assert again == summary
    assert tree(tmp_path) == files


def test_another_seed_writes_other_files(
    tmp_path: pathlib.Path, demo: tuple[DemoSummary, dict[str, bytes]]
) -> None:
    generate_demo(tmp_path, EVENTS, seed=8)
    other = tree(tmp_path)
    logs = {k for k in demo[1] if LOG.fullmatch(k)}
    assert logs.isdisjoint(other)
    assert len(records_of(other, LOG)) == EVENTS


def test_worker_processes_write_the_same_bytes(
    tmp_path: pathlib.Path, demo: tuple[DemoSummary, dict[str, bytes]]
) -> None:
    assert generate_demo(tmp_path, EVENTS, seed=7, workers=2) == demo[0]
    assert tree(tmp_path) == demo[1]


@pytest.mark.parametrize("events", [0, 1, 20, 57, 1234])
def test_exactly_the_events_asked_for(tmp_path: pathlib.Path, events: int) -> None:
    seen: list[int] = []
    summary = generate_demo(tmp_path, events, seed=3, progress=seen.append)
    assert summary.events == events
    assert sum(seen) == events
    assert len(records_of(tree(tmp_path), LOG)) == events


def test_summary(demo: tuple[DemoSummary, dict[str, bytes]], records: list[dict[str, Any]]) -> None:
    summary, files = demo
    assert summary.events == len(records) == EVENTS
    logs = [k for k in files if LOG.fullmatch(k) or INSIGHT.fullmatch(k)]
    skipped = [k for k in files if any(p.fullmatch(k) for p in (DIGEST, SIGNATURE, CHECK, KEYS))]
    assert summary.files == len(logs)
    assert summary.skipped_files == len(skipped) >= 2
    assert summary.insight_events == len(records_of(files, INSIGHT)) >= 2
    assert 3 <= len(summary.accounts) <= 4
    assert len(summary.regions) >= 3
    assert set(summary.stories) == STORIES
    assert {r["recipientAccountId"] for r in records} == set(summary.accounts)
    assert {r["awsRegion"] for r in records} == set(summary.regions)


def test_every_file_is_where_cloudtrail_puts_it(demo: tuple[DemoSummary, dict[str, bytes]]) -> None:
    files = demo[1]
    for key in files:
        assert any(p.fullmatch(key) for p in (LOG, INSIGHT, DIGEST, SIGNATURE, CHECK, KEYS)), key
    assert any(key.startswith("AWSLogs/o-") for key in files if LOG.fullmatch(key))
    assert sum(1 for key in files if INSIGHT.fullmatch(key)) >= 2
    assert sum(1 for key in files if DIGEST.fullmatch(key)) >= 1
    assert sum(1 for key in files if CHECK.fullmatch(key)) == 1
    for key, data in files.items():
        match = LOG.fullmatch(key) or INSIGHT.fullmatch(key)
        if match:
            text = gzip.decompress(data)
            assert text.startswith(b'{"Records":[') and b"\n" not in text
            for record in json.loads(text)["Records"]:
                assert (record["recipientAccountId"], record["awsRegion"]) == match.group(1, 2)


def test_digests_are_written_as_cloudtrail_writes_them(
    tmp_path: pathlib.Path, demo: tuple[DemoSummary, dict[str, bytes]]
) -> None:
    """Hashes of the uncompressed logs, a real chain, signatures the published key verifies;
    one log file rewritten after delivery (the planted tampering), the same events in it."""
    files = demo[1]
    for key, data in files.items():
        (tmp_path / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / key).write_bytes(data)
    digests = [load_digest_file(p) for p in find_digest_files([tmp_path])]
    keys = load_public_keys(files["cloudtrail-public-keys.txt"])
    assert len(digests) == 3 and len(keys) == 1
    assert [verify_signature(d, keys).status for d in digests] == [SignatureStatus.VALID] * 3
    assert verify_chain(digests) == [] and digests[1].previous_hash == digests[0].content_sha256
    differing = []
    for digest in digests:
        assert digest.log_files and digest.uri.endswith(digest.key)
        for log in digest.log_files:
            if hashlib.sha256(gzip.decompress(files[log.key])).hexdigest() != log.sha256:
                differing.append(log.key)
    assert len(differing) == 1  # the planted one, in the middle digest
    assert differing[0] in {log.key for log in digests[1].log_files}
    assert json.loads(gzip.decompress(files[differing[0]]))["Records"]  # still its events


def test_records_are_well_formed(records: list[dict[str, Any]]) -> None:
    for record in records:
        assert EVENT_TIME.fullmatch(record["eventTime"]), record
        assert record["eventName"]
        assert UUID4.fullmatch(record["eventID"])
        assert "2026-11-01" <= record["eventTime"] < "2026-11-09"
        assert record["eventVersion"] in {"1.08", "1.09", "1.10", "1.11"}
        assert record["userIdentity"]["type"] in IDENTITY_TYPES
    assert len({r["eventID"] for r in records}) == len(records)


def test_every_identity_type_and_category(
    demo: tuple[DemoSummary, dict[str, bytes]], records: list[dict[str, Any]]
) -> None:
    assert {r["userIdentity"]["type"] for r in records} == IDENTITY_TYPES
    assert {r["eventCategory"] for r in records} == {"Management", "Data", "NetworkActivity"}
    assert {r["eventType"] for r in records} == {"AwsApiCall", "AwsVpceEvent", "AwsConsoleSignIn"}
    insights = records_of(demo[1], INSIGHT)
    assert {r["eventCategory"] for r in insights} == {"Insight"}
    assert {r["eventType"] for r in insights} == {"AwsCloudTrailInsight"}
    assert {r["insightDetails"]["state"] for r in insights} == {"Start", "End"}
    for insight in insights:
        assert sum(i["sharedEventID"] == insight["sharedEventID"] for i in insights) == 2


def test_realistic_details(records: list[dict[str, Any]]) -> None:
    sessions = [r["userIdentity"] for r in records if r["userIdentity"]["type"] == "AssumedRole"]
    assert all(s["sessionContext"]["sessionIssuer"]["type"] == "Role" for s in sessions)
    assert all("mfaAuthenticated" in s["sessionContext"]["attributes"] for s in sessions)
    services = [r for r in records if r["userIdentity"]["type"] == "AWSService"]
    assert all(r["sourceIPAddress"] == r["userIdentity"]["invokedBy"] for r in services)
    data = [r for r in records if r["eventCategory"] == "Data"]
    assert {r["eventName"] for r in data} >= {"GetObject", "PutObject", "Invoke"}
    assert all(r["managementEvent"] is False and r["resources"] for r in data)
    vpce = [r for r in records if r["eventCategory"] == "NetworkActivity"]
    assert all(r["vpcEndpointId"].startswith("vpce-") and r["vpcEndpointAccountId"] for r in vpce)
    logins = [r for r in records if r["eventType"] == "AwsConsoleSignIn"]
    assert any(r["responseElements"]["ConsoleLogin"] == "Success" for r in logins)
    for failed in (r for r in logins if r["responseElements"]["ConsoleLogin"] == "Failure"):
        assert failed["errorMessage"] == "Failed authentication"
    assert all(r["additionalEventData"]["MFAUsed"] in ("Yes", "No") for r in logins)
    errors = {r["errorCode"] for r in records if "errorCode" in r}
    assert errors >= {"AccessDenied", "Client.UnauthorizedOperation", "NoSuchEntityException"}
    assert all(r["errorMessage"] for r in records if "errorCode" in r)
    agents = " ".join({r.get("userAgent", "") for r in records})
    for client in ("aws-cli/", "Boto3/", "Terraform/", "AWS Internal", "Mozilla/5.0"):
        assert client in agents
    assert any("tlsDetails" in r for r in records)


def only(records: list[dict[str, Any]], **fields: Any) -> list[dict[str, Any]]:
    return [r for r in records if all(r.get(k) == v for k, v in fields.items())]


def test_trail_stopped(records: list[dict[str, Any]]) -> None:
    (stop,) = only(records, eventName="StopLogging")
    (delete,) = only(records, eventName="DeleteTrail")
    assert stop["userIdentity"]["type"] == "IAMUser"
    assert stop["userIdentity"]["arn"] == delete["userIdentity"]["arn"]
    assert stop["requestParameters"]["name"] == delete["requestParameters"]["name"]
    assert stop["eventTime"] < delete["eventTime"]


def test_keys_for_another_user(records: list[dict[str, Any]]) -> None:
    (create,) = only(records, eventName="CreateAccessKey")
    (profile,) = only(records, eventName="CreateLoginProfile")
    target = create["requestParameters"]["userName"]
    assert target != create["userIdentity"]["userName"]
    assert create["responseElements"]["accessKey"]["userName"] == target
    assert profile["requestParameters"]["userName"] == target
    assert create["eventTime"] < profile["eventTime"]
    # the new key is then used: it is the key behind the trail being stopped
    new_key = create["responseElements"]["accessKey"]["accessKeyId"]
    (stop,) = only(records, eventName="StopLogging")
    assert stop["userIdentity"]["accessKeyId"] == new_key


def test_tor_access(records: list[dict[str, Any]]) -> None:
    assert 2 <= len(TOR_EXIT_ADDRESSES) <= 3
    from_tor = [r for r in records if r["sourceIPAddress"] in TOR_EXIT_ADDRESSES]
    assert {r["eventName"] for r in from_tor} >= {
        "ListBuckets",
        "GetCallerIdentity",
        "DescribeInstances",
    }
    assert len({r["userIdentity"]["arn"] for r in from_tor}) == 1


def test_vpce_foreign_account(
    demo: tuple[DemoSummary, dict[str, bytes]], records: list[dict[str, Any]]
) -> None:
    denied = only(records, errorCode="VpceAccessDenied")
    assert denied
    for r in denied:
        assert r["eventType"] == "AwsVpceEvent" and r["eventCategory"] == "NetworkActivity"
        assert r["userIdentity"]["accountId"] not in demo[0].accounts
        assert r["vpcEndpointAccountId"] in demo[0].accounts
    # nobody else from outside the organization comes through an endpoint
    vpce = [r for r in records if r["eventType"] == "AwsVpceEvent"]
    outsiders = [r for r in vpce if r["userIdentity"]["accountId"] not in demo[0].accounts]
    assert outsiders == denied


def test_console_no_mfa(records: list[dict[str, Any]]) -> None:
    logins = only(records, eventName="ConsoleLogin")
    (root,) = [
        r
        for r in logins
        if r["userIdentity"]["type"] == "Root" and r["additionalEventData"]["MFAUsed"] == "No"
    ]
    assert root["responseElements"]["ConsoleLogin"] == "Success"
    others = [
        r
        for r in logins
        if r["userIdentity"]["type"] in ("Root", "IAMUser")
        and r["responseElements"]["ConsoleLogin"] == "Success"
        and r is not root
    ]
    assert all(r["additionalEventData"]["MFAUsed"] == "Yes" for r in others)


def test_public_bucket(records: list[dict[str, Any]]) -> None:
    (policy,) = only(records, eventName="PutBucketPolicy")
    (acl,) = only(records, eventName="PutBucketAcl")
    statement = policy["requestParameters"]["bucketPolicy"]["Statement"][0]
    assert statement["Principal"] == "*" and statement["Effect"] == "Allow"
    grants = acl["requestParameters"]["AccessControlPolicy"]["AccessControlList"]["Grant"]
    assert any(g["Grantee"].get("URI", "").endswith("/global/AllUsers") for g in grants)
    assert policy["requestParameters"]["bucketName"] == acl["requestParameters"]["bucketName"]


def test_stories_that_do_not_fit_are_left_out(tmp_path: pathlib.Path) -> None:
    summary = generate_demo(tmp_path, 12, seed=7)
    assert summary.events == 12
    assert set(summary.stories) < STORIES
    assert "trail-stopped" in summary.stories


def test_a_longer_span_puts_the_stories_on_its_last_days(tmp_path: pathlib.Path) -> None:
    """Over 34 days the benign traffic fills the span and the stories come after 30 of them,
    the trail deleted on the last day; a week (the default) keeps the demo's timeline."""
    from trailhound_demo.population import build_population
    from trailhound_demo.stories import labelled_stories

    summary = generate_demo(tmp_path, 3000, seed=7, days=34)
    assert summary.events == 3000
    days = sorted({r["eventTime"][:10] for r in records_of(tree(tmp_path), LOG)})
    assert days[0] == "2026-11-01" and days[-1] == "2026-12-04" and len(days) == 34
    told = labelled_stories(build_population(7), 7, 3000, days=34)
    times = {name: [r.record["eventTime"] for r in rs] for name, rs in told.items()}
    assert min(t for ts in times.values() for t in ts) > "2026-12-01"
    assert max(times["trail-stopped"]) < "2026-12-05" and min(times["trail-stopped"]) > "2026-12-04"
    week = labelled_stories(build_population(7), 7, 3000)
    assert min(r.record["eventTime"] for r in week["trail-stopped"]).startswith("2026-11-05")
    with pytest.raises(ValueError, match="days"):
        generate_demo(tmp_path, 10, days=3)


def test_a_person_works_from_one_place_a_day(records: list[dict[str, Any]]) -> None:
    """An engineer's calls of one day come from home or from the offices, never from both, and
    a day without calls lies between a day at home and a day at the office (the journey)."""
    places: dict[str, dict[str, set[bool]]] = {}
    for r in records:
        arn = r["userIdentity"].get("arn", "")
        if "AWSReservedSSO_" in arn and not r["sourceIPAddress"].endswith("amazonaws.com"):
            person = arn.rsplit("/", 1)[-1]
            office = r["sourceIPAddress"].startswith("62.45.112.")
            places.setdefault(person, {}).setdefault(r["eventTime"][:10], set()).add(office)
    days = [d for person in places.values() for d in person.values()]
    assert days and all(len(d) == 1 for d in days)
    assert {True, False} == set().union(*days)
    for person in places.values():
        ordered = sorted(person.items())
        for (day, here), (next_day, there) in itertools.pairwise(ordered):
            if here != there:  # a journey: not on consecutive days
                assert int(next_day[-2:]) - int(day[-2:]) != 1
