"""The rules page (enable, disable by an analyst with CSRF) and the integrations page (the
connection test needs an admin)."""

from __future__ import annotations

import re

from tests.api.console.conftest import Console, csrf_of

RULE = "e6b6d762-9659-5339-8e5d-95b06066bf75"  # CloudTrail stopped or deleted
OTHER = "1e0fc7f2-ef9e-5bd4-b325-98259d93e79a"  # RDS deleted or stopped


def test_rules_are_listed_and_switched_by_an_analyst(console: Console) -> None:
    console.sign_in("vic")
    page = console.client.get("/rules", params={"q": "cloudtrail"})
    assert page.status_code == 200
    rows = re.findall(r"<code>([^<]+)</code></td>", page.text)
    assert RULE in rows and OTHER not in rows
    assert f'action="/rules/{RULE}"' not in page.text  # no switches for a viewer
    token = csrf_of(page.text)
    refused = console.client.post(f"/rules/{RULE}", data={"csrf": token, "enabled": "false"})
    assert refused.status_code == 403
    console.sign_out()
    console.sign_in("alice")
    page = console.client.get("/rules")
    assert f'action="/rules/{RULE}"' in page.text
    token = csrf_of(page.text)
    answer = console.client.post(
        f"/rules/{RULE}", data={"enabled": "false"}, follow_redirects=False
    )
    assert answer.status_code == 403
    answer = console.client.post(
        f"/rules/{RULE}", data={"csrf": token, "enabled": "false"}, follow_redirects=False
    )
    assert answer.status_code == 303
    disabled = console.client.get("/rules", params={"show": "disabled"}).text
    assert f"<code>{RULE}</code>" in disabled
    api = console.api.get("/api/v1/rules", "viewer").json()["rules"]
    assert [r["enabled"] for r in api if r["id"] == RULE] == [False]
    unknown = console.client.post("/rules/no-such-rule", data={"csrf": token, "enabled": "true"})
    assert unknown.status_code == 400


def test_integrations_page_and_the_connection_test_role(console: Console) -> None:
    console.sign_in("alice")
    page = console.client.get("/integrations")
    assert page.status_code == 200 and "No integrations yet" in page.text
    token = csrf_of(page.text)
    assert console.client.post("/integrations/prod/test", data={"csrf": token}).status_code == 403
    console.sign_out()
    console.sign_in("ada")
    token = csrf_of(console.client.get("/integrations").text)
    answer = console.client.post("/integrations/prod/test", data={"csrf": token})
    assert answer.status_code == 404 and "prod" in answer.text
