"""The root-cause graph on real detonations (Stratus Red Team) and on a known chain: the first
identity, the assumed / authenticated-with / called-from / called / touched edges, the alerting
events highlighted, JSON and GraphML."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx
import orjson
import pytest
from typer.testing import CliRunner

from tests.incidents.incident_support import (
    ACCOUNT,
    assume_role,
    call,
    detection,
    incidents,
    raise_alerts,
    session,
    user,
)
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.incidents.graph import build_graph, to_graphml, to_json
from trailhound.ingest import Ingestor
from trailhound.store.duckdb import DuckDBBackend

LEAVE_ORG = "aws.defense-evasion.organizations-leave.json"
UNUSUAL_INSTANCES = "aws.execution.ec2-launch-unusual-instances.json"
STOP_TRAIL = "aws.defense-evasion.cloudtrail-stop.json"


_STORES: dict[Path, DataDir] = {}


@pytest.fixture
def stratus(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """Three detonations (two through an assumed role), ingested with detection once."""
    if shared_data in _STORES:
        return _STORES[shared_data]
    data_dir = _STORES[shared_data] = DataDir(tmp_path_factory.mktemp("stratus") / "store").ensure()
    files = [shared_data / "stratus" / name for name in (LEAVE_ORG, UNUSUAL_INSTANCES, STOP_TRAIL)]
    with Ingestor(data_dir, detection=detection(data_dir)) as ingestor:
        ingestor.ingest_paths(files)
    return data_dir


def _incident_in(data_dir: DataDir, account: str) -> dict[str, object]:
    found = [i for i in incidents(data_dir).list() if account in (i["accounts"] or ())]
    assert len(found) == 1, f"one incident in account {account}, not {len(found)}"
    return incidents(data_dir).get(str(found[0]["id"]))


@pytest.mark.shared
def test_each_detonation_is_its_own_incident(stratus: DataDir) -> None:
    listed = incidents(stratus).list()
    assert {a for i in listed for a in i["accounts"]} == {
        "307578594326",
        "900138736586",
        "143434273843",
    }
    assert all(len(i["accounts"]) == 1 for i in listed), "different accounts never group"


@pytest.mark.shared
def test_leave_organization_walks_back_to_the_user(stratus: DataDir) -> None:
    incident = _incident_in(stratus, "307578594326")
    user_arn = "arn:aws:iam::307578594326:user/christophe"
    role_arn = "arn:aws:iam::307578594326:role/stratus-red-team-leave-org-role"
    session_actor = f"{role_arn}/aws-go-sdk-1722587398902687000"
    assert incident["root_identity"] == user_arn
    with DuckDBBackend.open(stratus) as backend:
        graph = build_graph(incident, backend)
    user_node, role, sess = f"user:{user_arn}", f"role:{role_arn}", f"session:{session_actor}"
    assert graph.graph["root_cause"] == user_node
    assert graph.nodes[user_node]["root_cause"] is True
    # user → assumed role → session → the call that alerted, the chain marked
    assert graph.edges[user_node, role]["kind"] == "assumed"
    assert graph.edges[user_node, role]["via"] == "AssumeRole"
    assert graph.edges[user_node, role]["chain"] is True
    assert graph.edges[role, sess]["kind"] == "assumed"
    assert graph.edges[role, sess]["chain"] is True
    leave = "api:organizations:LeaveOrganization"
    assert graph.edges[sess, leave]["kind"] == "called"
    assert graph.edges[sess, leave]["alert"] is True and graph.nodes[leave]["alert"] is True
    assert graph.nodes[leave]["rule_ids"]
    # the session signed with the key the AssumeRole issued; the user with its own
    assert graph.edges[sess, "key:ASIA36EV31F1RB3OA8IG"]["kind"] == "authenticated-with"
    assert graph.edges[user_node, "key:AKIADVISM0T50G52IF0D"]["kind"] == "authenticated-with"
    assert graph.edges["api:sts:AssumeRole", "key:ASIA36EV31F1RB3OA8IG"]["kind"] == "touched"
    assert graph.edges[sess, "ip:252.5.222.230"]["kind"] == "called-from"
    assert nx.has_path(graph, user_node, leave)
    assert graph.nodes["api:sts:AssumeRole"]["count"] == 2  # both AssumeRole calls
    # highlighted exactly where an alerting event went
    alerting = {e for a in incident["alerts"] for e in a["event_ids"]}
    for _, _, attrs in graph.edges(data=True):
        assert attrs["alert"] == bool(alerting & set(attrs["event_ids"]))


@pytest.mark.shared
def test_instances_are_resources_and_exports_round_trip(stratus: DataDir) -> None:
    incident = _incident_in(stratus, "900138736586")
    with DuckDBBackend.open(stratus) as backend:
        graph = build_graph(incident, backend)
    assert graph.graph["root_cause"] == "user:arn:aws:iam::900138736586:user/christophe"
    run = "api:ec2:RunInstances"
    assert run in graph
    document = orjson.loads(orjson.dumps(to_json(graph)))
    assert {n["id"] for n in document["nodes"]} == set(graph.nodes)
    assert len(document["edges"]) == graph.number_of_edges()
    assert document["root_cause"] == graph.graph["root_cause"]
    parsed = nx.read_graphml(io.BytesIO(to_graphml(graph).encode()))
    assert set(parsed.nodes) == set(graph.nodes)
    assert set(parsed.edges) == set(graph.edges)
    assert parsed.nodes[graph.graph["root_cause"]]["root_cause"] is True


def test_a_two_hop_chain_and_the_cli(data_dir: DataDir) -> None:
    """user → role A → session → role B → session → an alerting call; the CLI prints it."""
    mallory = user("mallory", "AKIAMALLORY000000001")
    first = session("Hop", "hop-1", "ASIAHOP0000000000001")
    second = session("Target", "hop-2", "ASIATARGET0000000001")
    raise_alerts(  # an alert on the last call only: the AssumeRole calls are context
        data_dir,
        [
            assume_role(mallory, "Hop", "hop-1", "ASIAHOP0000000000001", 0),
            assume_role(first, "Target", "hop-2", "ASIATARGET0000000001", 1),
            call(second, "cloudtrail", "StopLogging", 2, params={"name": "main"}, ip="203.0.113.9"),
        ],
    )
    (listed,) = incidents(data_dir).list()
    assert listed["root_identity"] == f"arn:aws:iam::{ACCOUNT}:user/mallory"
    runner = CliRunner()
    args = ["--data-dir", str(data_dir.root), "incidents"]
    shown = runner.invoke(app, [*args, "graph", listed["id"][:10]])
    assert shown.exit_code == 0, shown.output
    document = orjson.loads(shown.stdout)
    mallory_node = f"user:arn:aws:iam::{ACCOUNT}:user/mallory"
    assert document["root_cause"] == mallory_node
    chain = {(e["source"], e["target"]) for e in document["edges"] if e.get("chain")}
    hop = f"arn:aws:iam::{ACCOUNT}:role/Hop"
    target = f"arn:aws:iam::{ACCOUNT}:role/Target"
    assert chain == {
        (mallory_node, f"role:{hop}"),
        (f"role:{hop}", f"session:{hop}/hop-1"),
        (f"session:{hop}/hop-1", f"role:{target}"),
        (f"role:{target}", f"session:{target}/hop-2"),
    }
    graphml = runner.invoke(app, [*args, "graph", listed["id"], "--format", "graphml"])
    assert graphml.exit_code == 0 and graphml.stdout.startswith("<graphml")
    wrong = runner.invoke(app, [*args, "graph", listed["id"], "--format", "dot"])
    assert wrong.exit_code != 0
