"""Alerts and incidents in the console: lists, filters, the incident page and its graph, triage
by role with CSRF, and refusals shown as pages."""

from __future__ import annotations

import re

from tests.api.console.conftest import Console, csrf_of, make_incident
from tests.incidents.incident_support import ACCOUNT


def test_the_incident_page_shows_graph_timeline_alerts_and_controls(console: Console) -> None:
    incident_id = make_incident(console.api)
    console.sign_in("alice")
    listed = console.client.get("/incidents")
    assert f'href="/incidents/{incident_id}"' in listed.text
    assert incident_id not in console.client.get("/incidents?status=resolved").text
    assert incident_id in console.client.get("/incidents?status=new&order=score").text
    page = console.client.get(f"/incidents/{incident_id}")
    assert page.status_code == 200
    assert f'data-src="/incidents/{incident_id}/graph.json"' in page.text
    assert 'id="triage"' in page.text  # an analyst gets the controls
    timeline = re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', page.text, re.S)
    assert timeline and "<strong>StopLogging</strong>" in timeline.group(1)
    graph = console.client.get(f"/incidents/{incident_id}/graph.json").json()
    assert graph["root_cause"] == f"user:arn:aws:iam::{ACCOUNT}:user/mallory"
    assert any(n.get("alert") for n in graph["nodes"])
    script = console.client.get("/static/incident.js")
    assert script.status_code == 200 and "cytoscape(" in script.text
    assert console.client.get("/static/cytoscape.min.js").status_code == 200


def test_an_analyst_triages_with_csrf_and_the_trail_names_them(console: Console) -> None:
    incident_id = make_incident(console.api)
    console.sign_in("alice")
    url = f"/incidents/{incident_id}"
    token = csrf_of(console.client.get(url).text)
    change = {"status": "in_progress", "assignee": "alice", "comment": "on it"}
    for given in (None, "", "wrong"):
        data = dict(change) if given is None else {**change, "csrf": given}
        answer = console.client.post(url, data=data, follow_redirects=False)
        assert answer.status_code == 403 and "CSRF" in answer.text
    assert console.api.product.app.get_incident(incident_id)["status"] == "new"
    answer = console.client.post(url, data={**change, "csrf": token}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == url
    stored = console.api.product.app.get_incident(incident_id)
    assert (stored["status"], stored["assignee"]) == ("in_progress", "alice")
    assert {c["author"] for c in stored["comments"]} == {"alice"}
    assert "on it" in console.client.get(url).text
    bad = console.client.post(url, data={"status": "done", "csrf": token}, follow_redirects=False)
    assert bad.status_code == 400


def test_a_viewer_reads_but_cannot_change_status(console: Console) -> None:
    incident_id = make_incident(console.api)
    console.sign_in("vic")
    url = f"/incidents/{incident_id}"
    page = console.client.get(url)
    assert page.status_code == 200 and 'id="triage"' not in page.text
    token = csrf_of(page.text)  # the sign-out form's: a valid token of the session
    answer = console.client.post(url, data={"status": "resolved", "csrf": token})
    assert answer.status_code == 403 and "needs analyst" in answer.text
    assert console.api.product.app.get_incident(incident_id)["status"] == "new"


def test_alerts_list_filters_and_alert_page(console: Console) -> None:
    incident_id = make_incident(console.api)
    console.sign_in("vic")
    listed = console.client.get("/alerts")
    (alert_id,) = re.findall(r'href="/alerts/(al-[^"]+)"', listed.text)
    assert alert_id not in console.client.get("/alerts?severity=critical").text
    assert alert_id in console.client.get("/alerts?severity=medium&status=new").text
    assert console.client.get("/alerts?severity=bogus").status_code == 400
    page = console.client.get(f"/alerts/{alert_id}")
    assert page.status_code == 200
    assert 'id="investigation"' in page.text and 'id="pivot"' in page.text
    events = re.search(r'<table class="list" id="events">(.*?)</table>', page.text, re.S)
    assert events and "StopLogging" in events.group(1)
    assert f'href="/incidents/{incident_id}"' in page.text


def test_unknown_ids_are_404_pages_and_values_are_escaped(console: Console) -> None:
    console.sign_in("alice")
    for path in ("/incidents/in-0000000000", "/alerts/al-0000000000"):
        answer = console.client.get(path)
        assert answer.status_code == 404 and 'id="refusal"' in answer.text
    answer = console.client.get("/incidents?assignee=<script>alert(1)</script>")
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;" in answer.text
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    assert answer.headers["x-frame-options"] == "DENY"
    # The API keeps its own answers (no console headers on problem JSON).
    assert "content-security-policy" not in console.client.get("/api/v1/health").headers
