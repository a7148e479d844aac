"""THE CloudTrail object-name parser: kind, account, organization, region, time, trail."""

from __future__ import annotations

import doctest
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from trailhound.model import InputFormat, SkipReason
from trailhound.sources import names
from trailhound.sources.names import ObjectKind, parse_name

ACCOUNT = "111122223333"


def test_doctests() -> None:
    result = doctest.testmod(names)
    assert result.attempted > 0 and result.failed == 0


def test_how_ingest_reads_each_name() -> None:
    base = f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/01/"
    assert (
        parse_name(
            base + "111122223333_CloudTrail_us-east-1_20261101T1000Z_ab.json.gz"
        ).input_format
        is InputFormat.CLOUDTRAIL_FILE
    )
    assert (
        parse_name(
            "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/01/"
            "1_CloudTrail-Digest_us-east-1_t_us-east-1_20261101T100000Z.json.gz"
        ).input_format
        is SkipReason.DIGEST
    )
    assert (
        parse_name("AWSLogs/1/CloudTrail-Insight/x/1_CloudTrail-Insight_x_y.json.gz").input_format
        is InputFormat.INSIGHT_FILE
    )
    assert (
        parse_name("AWSLogs/ConfigWritabilityCheckFile").input_format
        is SkipReason.WRITABILITY_CHECK
    )
    assert parse_name("b/AWSLogs/o-aa11bb22cc/999988887777/CloudTrail/x").path_account == (
        "999988887777"
    )
    assert parse_name("exports/events.ndjson").input_format is InputFormat.JSON_LINES
    assert parse_name("exports/lookup.json").input_format is InputFormat.UNKNOWN
    assert parse_name("notes/readme.txt").input_format is SkipReason.NOT_JSON


def test_log_file_names_give_account_region_and_hour() -> None:
    name = parse_name(
        f"s3://b/AWSLogs/{ACCOUNT}/x/{ACCOUNT}_CloudTrail_ap-south-2_20261101T1035Z_Ab.json.gz"
    )
    assert name.is_log_file
    assert (name.account, name.region) == (ACCOUNT, "ap-south-2")
    assert name.hour == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert name.timestamp == datetime(2026, 11, 1, 10, 35, tzinfo=UTC)
    digest = parse_name(
        f"{ACCOUNT}_CloudTrail-Digest_us-east-1_t_us-east-1_20261101T100000Z.json.gz"
    )
    assert not digest.is_log_file


def test_every_kind_and_its_fields() -> None:
    org = f"AWSLogs/o-abcdefghij/{ACCOUNT}"
    insight = parse_name(
        f"{org}/CloudTrail-Insight/eu-west-1/2026/11/01/"
        f"{ACCOUNT}_CloudTrail-Insight_eu-west-1_20261101T1005Z_x9.json.gz"
    )
    assert (insight.kind, insight.account, insight.region, insight.org_id) == (
        ObjectKind.INSIGHT,
        ACCOUNT,
        "eu-west-1",
        "o-abcdefghij",
    )
    assert insight.timestamp == datetime(2026, 11, 1, 10, 5, tzinfo=UTC)
    assert not insight.is_log_file  # digests list log files only
    digest = parse_name(
        f"{org}/CloudTrail-Digest/us-west-2/2026/11/01/"
        f"{ACCOUNT}_CloudTrail-Digest_us-west-2_org_trail_us-east-1_20261101T110512Z.json.gz"
    )
    assert (digest.kind, digest.region, digest.trail, digest.path_account) == (
        ObjectKind.DIGEST,
        "us-west-2",
        "org_trail@us-east-1",
        ACCOUNT,
    )
    assert digest.timestamp == datetime(2026, 11, 1, 11, 5, 12, tzinfo=UTC)
    check = parse_name(f"AWSLogs/{ACCOUNT}/CloudTrail/ConfigWritabilityCheckFile")
    assert (check.kind, check.path_account, check.timestamp) == (
        ObjectKind.WRITABILITY_CHECK,
        ACCOUNT,
        None,
    )
    windows = parse_name(
        f"C:\\logs\\AWSLogs\\{ACCOUNT}\\CloudTrail\\x\\{ACCOUNT}_CloudTrail_x_y.gz"
    )
    assert (windows.kind, windows.path_account, windows.base) == (
        ObjectKind.LOG,
        ACCOUNT,
        f"{ACCOUNT}_CloudTrail_x_y.gz",
    )
    assert windows.timestamp is None and not windows.is_log_file  # not the exact pattern


def test_loose_names_give_a_kind_but_no_made_up_fields() -> None:
    renamed = parse_name(f"{ACCOUNT}_CloudTrail_us-east-1_2026-11-01_copy.json.gz")
    assert renamed.kind is ObjectKind.LOG and renamed.input_format is InputFormat.CLOUDTRAIL_FILE
    assert (renamed.account, renamed.region, renamed.timestamp) == (None, None, None)
    assert parse_name("AWSLogs/12345/CloudTrail/x.json").path_account is None  # not 12 digits


@given(st.text(max_size=300))
def test_any_text_parses_without_raising(text: str) -> None:
    name = parse_name(text)
    assert name.kind in ObjectKind
    assert name.base == text.replace("\\", "/").rsplit("/", 1)[-1]
    assert name.is_log_file == (name.kind is ObjectKind.LOG and name.timestamp is not None)
