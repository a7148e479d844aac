"""Incident grouping through the real ingest loop and detection: principals, keys, role chains,
source identities, the window, closed incidents, merges, and the demo data's attack stories."""

from __future__ import annotations

import doctest

import pytest

from tests.incidents.incident_support import (
    ACCOUNT,
    assume_role,
    detection,
    incident_of,
    incidents,
    ingest,
    key_for,
    raise_alerts,
    session,
    stop_logging,
    user,
)
from trailhound.data_dir import DataDir
from trailhound.incidents.grouping import IncidentGrouper, severity_and_score
from trailhound.ingest import Ingestor
from trailhound.store.state import StateDB
from trailhound_demo.generator import generate_demo

ALICE = user("alice", "AKIAALICE00000000001")
BOB = user("bob", "AKIABOB0000000000001")
ALICE_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"


def test_a_role_chain_and_its_first_user_are_one_incident(data_dir: DataDir) -> None:
    builder = session("Builder", "alice-session", "ASIAALICESESSION0001")
    ingest(
        data_dir,
        [
            assume_role(ALICE, "Builder", "alice-session", "ASIAALICESESSION0001", 0),
            stop_logging(builder, 5),  # the session stops the trail
            key_for(ALICE, "backdoor", "AKIABACKDOOR00000001", 10),  # alice herself
            stop_logging(BOB, 20, trail="other"),  # somebody else: unrelated
        ],
    )
    chain = incident_of(data_dir, "alice")
    assert len(chain) == 1
    incident = chain[0]
    assert incident["root_identity"] == ALICE_ARN
    assert incident["alert_count"] == 2
    assert set(incident["principals"]) == {
        ALICE_ARN,
        f"arn:aws:iam::{ACCOUNT}:role/Builder/alice-session",
    }
    # the key alice created and the session key are the incident's; bob's is not
    assert {"ASIAALICESESSION0001", "AKIABACKDOOR00000001"} <= set(incident["access_keys"])
    (bobs,) = incident_of(data_dir, "bob")
    assert bobs["id"] != incident["id"] and bobs["alert_count"] == 1
    assert bobs["root_identity"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    assert {i["status"] for i in incidents(data_dir).list()} == {"new"}


def test_the_window_and_closed_incidents_open_new_incidents(data_dir: DataDir) -> None:
    raise_alerts(data_dir, [stop_logging(BOB, 0)])
    (first,) = incident_of(data_dir, "bob")
    raise_alerts(data_dir, [stop_logging(BOB, 60 * 50, trail="audit")])  # two days later
    later = [i for i in incident_of(data_dir, "bob") if i["id"] != first["id"]]
    assert len(later) == 1, "an alert past the window opens an incident of its own"
    incidents(data_dir).update(later[0]["id"], status="resolved")
    raise_alerts(data_dir, [stop_logging(BOB, 60 * 51, trail="backup")])  # an hour later
    assert len(incident_of(data_dir, "bob")) == 3, "a resolved incident takes no new alerts"
    raise_alerts(data_dir, [stop_logging(BOB, 60 * 52, trail="spare")])
    grown = incidents(data_dir).get(incident_of(data_dir, "bob")[0]["id"])
    assert grown["alert_count"] == 2, "an open incident does"


def test_the_window_is_a_setting(data_dir: DataDir) -> None:
    StateDB(data_dir.state_db).set_setting("incident-window", "7d")
    raise_alerts(data_dir, [stop_logging(BOB, 0)], [stop_logging(BOB, 60 * 50, trail="audit")])
    (only,) = incident_of(data_dir, "bob")
    assert only["alert_count"] == 2


def test_a_source_identity_ties_sessions_of_different_roles(data_dir: DataDir) -> None:
    one = session("Deploy", "s1", "ASIADEPLOY0000000001", source_identity="erin")
    two = session("Admin", "s2", "ASIAADMIN00000000001", source_identity="erin")
    other = session("Admin", "s3", "ASIAADMIN00000000002")
    raise_alerts(data_dir, [stop_logging(one, 0), stop_logging(two, 30), stop_logging(other, 40)])
    (erin,) = incident_of(data_dir, "s1")
    assert erin["root_identity"] == "source-identity:erin"
    assert erin["alert_count"] == 2
    assert incident_of(data_dir, "s3")[0]["id"] != erin["id"]


def test_an_alert_that_links_two_open_incidents_merges_them(data_dir: DataDir) -> None:
    carol = user("carol", "AKIACAROL00000000001")
    ops = session("Ops", "carol-ops", "ASIACAROLOPS00000001")
    # first the session's alert, with the AssumeRole behind it not stored yet, and carol's own
    raise_alerts(data_dir, [stop_logging(ops, 5), key_for(carol, "x", "AKIASPARE00000000001", 6)])
    assert len(incidents(data_dir).list()) == 2
    session_incident = incident_of(data_dir, "carol-ops")[0]
    incidents(data_dir).update(session_incident["id"], status="in_progress", assignee="dana")
    # then the AssumeRole arrives, and another alert of the session: it belongs to both
    raise_alerts(
        data_dir,
        [
            assume_role(carol, "Ops", "carol-ops", "ASIACAROLOPS00000001", 0),
            key_for(ops, "other", "AKIAOTHER00000000001", 8),
        ],
    )
    (merged,) = incidents(data_dir).list()
    assert merged["alert_count"] == 3
    assert merged["status"] == "in_progress" and merged["assignee"] == "dana"
    trail = [c["text"] for c in incidents(data_dir).get(merged["id"])["comments"]]
    assert any(text.startswith("merged in-") for text in trail)
    assert any("assigned to dana" in text for text in trail), "the absorbed trail is kept"


def test_regroup_catches_up_alerts_recorded_without_incidents(data_dir: DataDir) -> None:
    raise_alerts(data_dir, [stop_logging(BOB, 0), key_for(BOB, "x", "AKIAX000000000000001", 1)])
    state = StateDB(data_dir.state_db)
    with state.connect() as con:
        con.execute("DELETE FROM incident_alerts")
        con.execute("DELETE FROM incidents")
    changed = IncidentGrouper.for_data_dir(data_dir).regroup()
    assert len(changed) == 1
    assert incidents(data_dir).get(changed[0])["alert_count"] == 2
    assert IncidentGrouper.for_data_dir(data_dir).regroup() == [], "nothing is left to group"


def test_severity_and_score() -> None:
    assert severity_and_score(["low"], 1) == ("low", 3)
    assert severity_and_score(["high", "medium"], 2) == ("high", 28)
    assert severity_and_score(["critical"] * 5, 4) == ("critical", 100)
    assert severity_and_score(["medium", "low", "low"], 3)[0] == "high"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """The demo generator's data with its attack stories, ingested with detection."""
    root = tmp_path_factory.mktemp("demo")
    generate_demo(root / "logs", 1500, seed=7, workers=1)
    data_dir = DataDir(root / "store").ensure()
    with Ingestor(data_dir, detection=detection(data_dir)) as ingestor:
        ingestor.ingest_paths([root / "logs"])
    return data_dir


def test_the_demo_intrusion_is_one_incident(demo_store: DataDir) -> None:
    """The leaked reporting key, the key it made for the CI user, and what the intruder did as
    the CI user: one incident, rooted at the reporting user; the other stories apart."""
    store = incidents(demo_store)
    everything = store.list(limit=1000)
    (intrusion,) = [i for i in everything if any("svc-reporting" in p for p in i["principals"])]
    assert intrusion["root_identity"].endswith(":user/svc-reporting")
    assert {p.rsplit("/", 1)[-1] for p in intrusion["principals"]} == {
        "svc-reporting",
        "ci-deployer",
    }
    titles = {a["title"] for a in store.get(intrusion["id"])["alerts"]}
    assert any("another user" in t for t in titles)  # keys-for-another-user
    assert any("CloudTrail" in t or "trail" in t.lower() for t in titles)  # trail-stopped
    assert intrusion["severity"] == "critical"
    assert intrusion["score"] == max(i["score"] for i in everything)
    root_login = [i for i in everything if any(p.endswith(":root") for p in i["principals"])]
    foreign = [i for i in everything if any(p.startswith("account:") for p in i["principals"])]
    assert root_login and foreign
    for other in (*root_login, *foreign):
        assert other["id"] != intrusion["id"]
        assert not set(other["principals"]) & set(intrusion["principals"])


def test_incidents_are_a_dataset(demo_store: DataDir) -> None:
    from trailhound.query.compiler import compile_query
    from trailhound.store.engine import QueryEngine

    compiled = compile_query(
        'dataset = incidents | filter severity = "critical" | fields id, root_identity, score'
    )
    with QueryEngine(demo_store) as engine:
        columns, rows = engine.execute(compiled.sql("duckdb"))
    critical = {i["id"] for i in incidents(demo_store).list(severity="critical", limit=1000)}
    assert {r[0] for r in rows} == critical and critical
    assert columns == ["id", "root_identity", "score"]


def test_doctests() -> None:
    from trailhound.incidents import grouping

    result = doctest.testmod(grouping)
    assert result.attempted >= 2 and result.failed == 0
