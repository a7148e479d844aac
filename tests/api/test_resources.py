"""Alerts, rules, integrations and the setup generator through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.api.conftest import Api
from trailhound.model import Match, RuleInfo

RULE_ID = "6c1f2a4e-3b5d-4c7a-9e8f-0a1b2c3d4e5f"
RULE = """\
title: Console sign-in from the lab
id: 6c1f2a4e-3b5d-4c7a-9e8f-0a1b2c3d4e5f
status: test
level: high
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventName: ConsoleLogin
    sourceIPAddress: 203.0.113.99
  condition: selection
"""


def _alert(api: Api) -> str:
    """One alert in the store, raised through the alert store as a detector's would be."""
    when = datetime(2026, 11, 2, 10, tzinfo=UTC)
    match = Match(
        "lab_rule", "e-1", when, "alice", "111122223333", "us-east-1", "198.51.100.7", None
    )
    info = RuleInfo("Lab rule", "high", ("defense-evasion",), ("T1562",), timedelta(days=1))
    changes = api.product.alerts().record([match], {"lab_rule": info})
    return str(changes.changed[0]["id"])


def test_alerts_list_get_update_and_comment(api: Api) -> None:
    alert_id = _alert(api)
    listed = api.get("/api/v1/alerts", "viewer", params={"severity": "high"}).json()["alerts"]
    assert [a["id"] for a in listed] == [alert_id] and "dedup_key" not in listed[0]
    assert api.get("/api/v1/alerts", "viewer", params={"status": "resolved"}).json() == {
        "alerts": []
    }
    one = api.get(f"/api/v1/alerts/{alert_id[:8]}", "viewer").json()
    assert one["id"] == alert_id and one["comments"] == []
    changed = api.client.patch(
        f"/api/v1/alerts/{alert_id}",
        headers=api.headers("analyst"),
        json={"status": "in_progress", "comment": "looking"},
    )
    assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
    trail = changed.json()["comments"]
    assert [c["text"] for c in trail] == ["status new → in_progress", "looking"]
    assert {c["author"] for c in trail} == {"analyst-key"}
    added = api.post(f"/api/v1/alerts/{alert_id}/comments", "admin", json={"text": "done"})
    assert added.status_code == 201 and added.json()["comments"][-1]["text"] == "done"
    bad = api.client.patch(
        f"/api/v1/alerts/{alert_id}", headers=api.headers("analyst"), json={"status": "closed"}
    )
    assert bad.status_code == 422
    missing = api.get("/api/v1/alerts/al-ffffffffffffffff", "viewer")
    assert missing.status_code == 404 and missing.json()["detail"].startswith("no alert")


def test_rules_list_upload_enable_disable(api: Api) -> None:
    listed = api.get("/api/v1/rules", "viewer").json()
    builtin = {r["id"] for r in listed["rules"]}
    assert len(builtin) > 80 and listed["problems"] == []
    yaml = {"content-type": "application/yaml"}
    broken = RULE.replace("condition: selection", "condition: selektion")
    answer = api.post("/api/v1/rules", "analyst", content=broken, headers=yaml)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["line"] == 12  # the condition's line
    answer = api.post("/api/v1/rules", "analyst", content="title: [unclosed\n", headers=yaml)
    assert answer.status_code == 422 and answer.json()["errors"][0]["line"] == 2
    answer = api.post("/api/v1/rules", "analyst", content=RULE, headers=yaml)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"ids": [RULE_ID], "file": f"{RULE_ID}.yml"}
    assert (api.product.data_dir.rules / f"{RULE_ID}.yml").read_text() == RULE
    ids = {r["id"] for r in api.get("/api/v1/rules", "viewer").json()["rules"]}
    assert ids == builtin | {RULE_ID}
    clash = RULE.replace("id: 6c1f2a4e-3b5d-4c7a-9e8f-0a1b2c3d4e5f", f"id: {sorted(builtin)[0]}")
    assert api.post("/api/v1/rules", "analyst", content=clash, headers=yaml).status_code == 409
    assert api.post("/api/v1/rules", "analyst", content=RULE, headers=yaml).status_code == 201
    off = api.post(f"/api/v1/rules/{RULE_ID}/disable", "analyst")
    assert off.json() == {"id": RULE_ID, "enabled": False, "retro_hunt_alerts": 0}
    rules = {r["id"]: r for r in api.get("/api/v1/rules", "viewer").json()["rules"]}
    assert rules[RULE_ID]["enabled"] is False
    on = api.post(f"/api/v1/rules/{RULE_ID}/enable", "analyst")
    assert on.status_code == 200 and on.json()["enabled"] is True
    assert api.post("/api/v1/rules/no_such_rule/enable", "analyst").status_code == 404


def test_integrations_crud_pause_resume_and_secret_hidden(api: Api) -> None:
    secret = "th-very-secret-external-id-0123456789"
    created = api.post(
        "/api/v1/integrations",
        "admin",
        json={
            "name": "prod",
            "queue_url": "https://sqs.eu-west-1.amazonaws.com/111122223333/trail-queue",
            "role_arn": "arn:aws:iam::111122223333:role/trailhound",
            "external_id": secret,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["region"] == "eu-west-1"
    assert created.json()["external_id"] == "set (hidden)"
    listed = api.get("/api/v1/integrations", "viewer")
    assert [i["name"] for i in listed.json()["integrations"]] == ["prod"]
    assert secret not in listed.text
    paused = api.post("/api/v1/integrations/prod/pause", "admin")
    assert paused.json()["state"] == "paused"
    assert api.post("/api/v1/integrations/prod/resume", "admin").json()["state"] == "enabled"
    one = api.get("/api/v1/integrations/prod", "viewer").json()
    assert one["poison_objects"] == [] and secret not in str(one)
    bad = api.post("/api/v1/integrations", "admin", json={"name": "x", "queue_url": "ftp://q"})
    assert bad.status_code == 400 and "http" in bad.json()["detail"]
    removed = api.client.delete("/api/v1/integrations/prod", headers=api.headers("admin"))
    assert removed.status_code == 200 and "trail-queue" in removed.json()["remaining"]
    assert api.get("/api/v1/integrations/prod", "viewer").status_code == 404


def test_setup_gives_a_quick_create_link_that_expires_in_30_days(api: Api) -> None:
    answer = api.post(
        "/api/v1/setup/aws",
        "admin",
        json={"account": "111122223333", "operator_account": "444455556666", "region": "eu-west-1"},
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    link = urlsplit(body["quick_create_url"])
    assert link.netloc == "eu-west-1.console.aws.amazon.com"
    params = parse_qs(link.fragment.split("?", 1)[1])
    assert params["param_ExternalId"] == [body["external_id"]]
    assert params["templateURL"] == [body["template_url"]]
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - datetime.now(UTC) - timedelta(days=30)) < timedelta(minutes=1)
    assert body["template"]["Parameters"]["ExternalId"]["NoEcho"] is True
    assert body["external_id"] not in str(body["template"])
    served = api.client.get(urlsplit(body["template_url"]).path)  # no key: the token is it
    assert served.status_code == 200 and served.json()["Resources"] == body["template"]["Resources"]
    with api.product.state.connect() as con:
        stored = con.execute("SELECT options FROM setup_links").fetchall()
        con.execute("UPDATE setup_links SET expires_at = now() - INTERVAL 1 SECOND")
    assert body["external_id"] not in str(stored)
    assert api.client.get(urlsplit(body["template_url"]).path).status_code == 404
    hosted = api.post(
        "/api/v1/setup/aws",
        "admin",
        json={
            "account": "111122223333",
            "operator_account": "444455556666",
            "external_id": "x" * 20,
            "template_url": "https://my-bucket.s3.amazonaws.com/trailhound.json",
        },
    ).json()
    assert "my-bucket.s3.amazonaws.com" in hosted["quick_create_url"]
    assert hosted["external_id"] == "x" * 20
    invalid = api.post("/api/v1/setup/aws", "admin", json={"account": "12"})
    assert invalid.status_code == 422
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/feed"
    existing = api.post(
        "/api/v1/setup/aws",
        "admin",
        json={
            "account": "111122223333",
            "operator_account": "444455556666",
            "existing_bucket": "corp-trail",
            "existing_trail": "corp",
            "existing_queue": queue,
        },
    )
    assert existing.status_code == 201, existing.text
    template = existing.json()["template"]
    assert "NotificationQueue" not in template["Resources"] and "Trail" not in template["Resources"]
    assert f"--existing-queue {queue}" in str(template["Outputs"]["BucketNotificationStep"])
    no_bucket = api.post(
        "/api/v1/setup/aws",
        "admin",
        json={
            "account": "111122223333",
            "operator_account": "444455556666",
            "existing_trail": "corp",
        },
    )
    assert no_bucket.status_code == 400 and "bucket" in no_bucket.text
