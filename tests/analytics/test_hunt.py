"""Hunts with the profile, volume and travel detectors against the persisted profiles, and a
backfill whose one batch holds an identity's whole history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from tests.analytics.test_detector import (
    ACCOUNT,
    ALICE,
    DE,
    START,
    US,
    alerts,
    baseline,
    detection,
    ingest,
    record,
)
from tests.analytics.test_travel import JP, login
from tests.analytics.test_volume import burst, usual_hours
from trailhound.analytics.detector import explanations
from trailhound.analytics.framework import TRAINING_SETTING
from trailhound.analytics.profiles import train
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.store.state import StateDB

DAY12 = START + timedelta(days=12)
SECRET = {"eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue"}


def store(data_dir: DataDir, records: list[dict[str, Any]], name: str = "batch") -> None:
    """Through the ingest loop without detection (a lake the analytics never saw)."""
    with Ingestor(data_dir) as ingestor:
        ingestor.ingest_bytes(orjson.dumps({"Records": records}), name)


def event_id(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def window_from(when: datetime) -> timedelta:
    """The hunt window (``since``) that starts at ``when``."""
    return datetime.now(UTC) - when


def by_rule(found: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    rules: dict[str, list[dict[str, Any]]] = {}
    for alert in found:
        rules.setdefault(alert["rule_id"], []).append(alert)
    return rules


def test_a_hunt_finds_first_seen_values_in_the_profiles_not_in_the_baseline(
    data_dir: DataDir,
) -> None:
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    store(data_dir, baseline(12))
    store(data_dir, [record(500, DAY12, sourceIPAddress=DE, **SECRET)], "new")
    train(data_dir)

    # a window that ends before the new service: the baseline held everything, nothing found
    assert by_rule(detection(data_dir).hunt(window_from(DAY12 + timedelta(hours=1)))) == {}
    found = by_rule(detection(data_dir).hunt(window_from(DAY12 - timedelta(hours=1))))
    assert {"analytics.first_service", "analytics.first_api", "analytics.first_country"} <= set(
        found
    )
    # every alert points at the event that raised it, none at the baseline's
    assert {e for group in found.values() for a in group for e in a["event_ids"]} == {event_id(500)}
    [service] = found["analytics.first_service"]
    assert service["actor"] == ALICE and service["account"] == ACCOUNT
    assert service["resource"] == "secretsmanager.amazonaws.com"
    assert service["explanation"] == (
        f"{ALICE}: service secretsmanager.amazonaws.com for the first time; its baseline of 12 "
        "days has 3 other service values"
    )
    # the whole history: the baseline's own first values fall within alice's training
    everything = detection(data_dir).hunt(None, report_all=True)
    assert {e for a in everything for e in a["event_ids"]} == {event_id(500)}
    # hunting again finds the same events: no alert is created or grows
    assert detection(data_dir).hunt(None) == []


def test_a_hunt_respects_the_training_period(data_dir: DataDir) -> None:
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "30d")
    store(data_dir, [*baseline(12), record(500, DAY12, **SECRET)])
    train(data_dir)
    assert detection(data_dir).hunt(None, only={"analytics.first_service"}) == []


def test_a_hunt_finds_an_unusual_hour_of_the_persisted_volume(data_dir: DataDir) -> None:
    store(data_dir, usual_hours())
    day10 = START.replace(hour=10) + timedelta(days=10)
    store(data_dir, burst(30_000, day10, 200), "busy")
    train(data_dir)
    found = by_rule(detection(data_dir).hunt(None, only={"analytics.unusual_volume"}))
    [hour] = found["analytics.unusual_volume"]
    assert hour["event_ids"] == [event_id(30_000)] and hour["actor"] == ALICE
    assert hour["explanation"].startswith(f"{ALICE}: 200 events in the hour from 2026-10-11 10:00")
    # a window after the busy hour finds nothing
    later = window_from(day10 + timedelta(hours=2))
    assert detection(data_dir).hunt(later, only={"analytics.unusual_volume"}) == []


def test_a_hunt_finds_impossible_travel_among_the_stored_logins(data_dir: DataDir) -> None:
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    day8 = START + timedelta(days=8)
    store(
        data_dir, [*baseline(8), login(900, day8, US), login(901, day8 + timedelta(minutes=40), JP)]
    )
    train(data_dir)
    [alert] = detection(data_dir).hunt(None, only={"analytics.impossible_travel"})
    assert alert["event_ids"] == [event_id(901)] and alert["resource"] == "US->JP"
    # the window starts after the first login: the day before the window still holds it
    found = detection(data_dir).hunt(
        window_from(day8 + timedelta(minutes=10)),
        only={"analytics.impossible_travel"},
        report_all=True,
    )
    assert [a["event_ids"] for a in found] == [[event_id(901)]]


def test_one_batch_with_a_whole_history_still_finds_what_was_new_after_training(
    data_dir: DataDir,
) -> None:
    """A backfill: alice's first batch holds her twelve days; what she did first on day 12 is
    new after a week of training, what she did first on day 2 is not."""
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    day2 = START + timedelta(days=2)
    early = record(400, day2, eventSource="ec2.amazonaws.com", eventName="DescribeVpcs")
    ingest(data_dir, [*baseline(12), early, record(500, DAY12, **SECRET)])
    found = alerts(data_dir)
    [service] = found["analytics.first_service"]
    assert service["event_ids"] == [event_id(500)]
    assert all(event_id(400) not in a["event_ids"] for group in found.values() for a in group)


SSO_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"


def sso_login(n: int, when: datetime, ip: str, account: str) -> dict[str, Any]:
    """A console login of maria's Identity Center session in ``account``."""
    role = f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/{SSO_ROLE}"
    identity = {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE{account}:maria@example.com",
        "arn": f"arn:aws:sts::{account}:assumed-role/{SSO_ROLE}/maria@example.com",
        "accountId": account,
        "sessionContext": {
            "sessionIssuer": {"type": "Role", "arn": role, "accountId": account},
            "attributes": {"creationDate": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
        },
    }
    return {
        **login(n, when, ip),
        "userIdentity": identity,
        "recipientAccountId": account,
    }


def test_impossible_travel_between_two_accounts_of_one_person(data_dir: DataDir) -> None:
    """Maria signs in to one account from the US and, 40 minutes later, to another from Japan:
    two identities (one role per account), one person."""
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    other = "444455556666"
    history = [sso_login(n, START + timedelta(days=n), US, ACCOUNT) for n in range(8)]
    ingest(data_dir, history)
    day9 = START + timedelta(days=9)
    ingest(
        data_dir,
        [
            sso_login(100, day9, US, ACCOUNT),
            sso_login(101, day9 + timedelta(minutes=40), JP, other),
        ],
        "two accounts",
    )
    later = sso_login(102, day9 + timedelta(minutes=70), DE, other)  # Japan to Germany: too
    ingest(data_dir, [later], "and back")
    [alert] = alerts(data_dir)["analytics.impossible_travel"]  # one alert in the dedup period
    assert alert["event_ids"] == [event_id(101), event_id(102)] and alert["account"] == other
    assert alert["actor"].endswith("/maria@example.com") and other in alert["actor"]
    why = {rule: text for _, rule, _, text in explanations(data_dir)}
    assert (
        "the same person (person:maria@example.com) signed in as"
        in why["analytics.impossible_travel"]
    )


def test_two_people_in_one_role_are_not_one_traveller(data_dir: DataDir) -> None:
    """Two people's sessions of the same role, one in the US and one in Japan: no journey."""
    StateDB(data_dir.state_db).set_setting(TRAINING_SETTING, "7d")
    history = [sso_login(n, START + timedelta(days=n), US, ACCOUNT) for n in range(8)]
    ingest(data_dir, history)
    day9 = START + timedelta(days=9)
    someone = sso_login(101, day9 + timedelta(minutes=40), JP, ACCOUNT)
    identity = orjson.loads(orjson.dumps(someone["userIdentity"]).replace(b"maria", b"kenji"))
    ingest(data_dir, [sso_login(100, day9, US, ACCOUNT), {**someone, "userIdentity": identity}])
    assert "analytics.impossible_travel" not in alerts(data_dir)
