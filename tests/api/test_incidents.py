"""The incident routes: list with filters, get, triage, comment, graph (JSON and GraphML),
each refused without a key (401), with the wrong role (403), and for an unknown ID (404)."""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import pytest

from tests.api.conftest import Api
from tests.incidents.incident_support import (
    ACCOUNT,
    assume_role,
    call,
    raise_alerts,
    session,
    user,
)
from trailhound.data_dir import DataDir


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


@pytest.fixture
def incident_id(api: Api) -> str:
    """One incident: a user assumes a role and the session stops a trail."""
    mallory = user("mallory", "AKIAMALLORY000000001")
    hop = session("Hop", "hop-1", "ASIAHOP0000000000001")
    raise_alerts(
        DataDir(api.product.data_dir.root),
        [
            assume_role(mallory, "Hop", "hop-1", "ASIAHOP0000000000001", 0),
            call(hop, "cloudtrail", "StopLogging", 1, params={"name": "main"}, ip="203.0.113.9"),
        ],
    )
    listed = api.get("/api/v1/incidents", "viewer").json()["incidents"]
    assert len(listed) == 1
    return str(listed[0]["id"])


def test_list_get_and_filters(api: Api, incident_id: str) -> None:
    listed = api.get("/api/v1/incidents", "viewer").json()["incidents"]
    assert [i["id"] for i in listed] == [incident_id]
    assert "keys" not in listed[0]  # the grouping's bookkeeping stays inside
    assert api.get("/api/v1/incidents?status=resolved", "viewer").json()["incidents"] == []
    assert len(api.get("/api/v1/incidents?status=new", "viewer").json()["incidents"]) == 1
    severity = listed[0]["severity"]
    assert len(api.get(f"/api/v1/incidents?severity={severity}", "viewer").json()["incidents"])
    _problem(api.get("/api/v1/incidents?status=bogus", "viewer"), 422)
    one = api.get(f"/api/v1/incidents/{incident_id[:10]}", "viewer").json()
    assert one["id"] == incident_id
    assert [a["rule_id"] for a in one["alerts"]] and "dedup_key" not in one["alerts"][0]
    assert one["comments"] == []


def test_triage_and_comment_are_signed_and_role_checked(api: Api, incident_id: str) -> None:
    url = f"/api/v1/incidents/{incident_id}"
    body = _problem(api.client.patch(url, json={"status": "resolved"}), 401)
    assert "key" in body["detail"]
    body = _problem(
        api.client.patch(url, json={"status": "resolved"}, headers=api.headers("viewer")), 403
    )
    assert "analyst" in body["detail"]
    answer = api.client.patch(
        url, json={"status": "in_progress", "assignee": "bob"}, headers=api.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert (changed["status"], changed["assignee"]) == ("in_progress", "bob")
    assert [c["author"] for c in changed["comments"]] == ["analyst-key", "analyst-key"]
    answer = api.post(f"{url}/comments", "analyst", json={"text": "looks like a test"})
    assert answer.status_code == 201
    assert answer.json()["comments"][-1]["text"] == "looks like a test"
    _problem(api.post(f"{url}/comments", "viewer", json={"text": "x"}), 403)
    _problem(api.client.patch(url, json={"status": "done"}, headers=api.headers("admin")), 422)
    listed = api.get("/api/v1/incidents?assignee=bob", "viewer").json()["incidents"]
    assert [i["id"] for i in listed] == [incident_id]


def test_the_graph_as_json_and_graphml(api: Api, incident_id: str) -> None:
    url = f"/api/v1/incidents/{incident_id}/graph"
    _problem(api.client.get(url), 401)
    _problem(api.get(url, "ingest"), 403)
    document = api.get(url, "viewer").json()
    mallory = f"user:arn:aws:iam::{ACCOUNT}:user/mallory"
    assert document["root_cause"] == mallory
    assert mallory in {n["id"] for n in document["nodes"]}
    assert any(n.get("alert") for n in document["nodes"])
    graphml = api.get(url, "viewer", params={"format": "graphml"})
    assert graphml.status_code == 200
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    parsed = nx.read_graphml(io.BytesIO(graphml.content))
    assert set(parsed.nodes) == {n["id"] for n in document["nodes"]}
    _problem(api.get(url, "viewer", params={"format": "dot"}), 422)


def test_an_unknown_incident_is_a_404_problem(api: Api) -> None:
    for method, path, body in (
        ("GET", "/api/v1/incidents/in-0000000000", None),
        ("PATCH", "/api/v1/incidents/in-0000000000", {"status": "resolved"}),
        ("POST", "/api/v1/incidents/in-0000000000/comments", {"text": "hello"}),
        ("GET", "/api/v1/incidents/in-0000000000/graph", None),
    ):
        answer = api.client.request(method, path, json=body, headers=api.headers("admin"))
        assert "no incident" in _problem(answer, 404)["detail"]
