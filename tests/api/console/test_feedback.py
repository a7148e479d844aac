"""The feedback loop in the console: verdicts given on alert pages show as precision on the
rules page, a suggested suppression is accepted in one click (an analyst, with CSRF), listed,
drops the next match, and is removed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.api.console.conftest import Console, csrf_of
from trailhound.incidents.alerts import AlertStore
from trailhound.model import Match, RuleInfo

BUILD = "arn:aws:iam::111122223333:role/build"
INFO = {"noisy": RuleInfo("Noisy lab rule", "medium", ("discovery",))}


def _record(store: AlertStore, n: int, who: str = BUILD) -> list[dict[str, object]]:
    when = datetime(2026, 11, 2, 10, tzinfo=UTC) + timedelta(days=n)
    match = Match("noisy", f"e-{n}", when, who, "111122223333", "us-east-1", "192.0.2.1", None)
    return store.record([match], INFO).touched


def test_verdicts_suggest_a_suppression_accepted_in_one_click(console: Console) -> None:
    store = AlertStore.for_data_dir(console.api.product.data_dir)
    ids = [str(_record(store, n)[0]["id"]) for n in range(2)]
    console.sign_in("alice")
    for alert_id in ids:  # the verdicts, given on the alert pages
        page = console.client.get(f"/alerts/{alert_id}")
        assert 'id="verdict"' in page.text
        answer = console.client.post(
            f"/alerts/{alert_id}",
            data={"csrf": csrf_of(page.text), "status": "false_positive"},
            follow_redirects=False,
        )
        assert answer.status_code == 303
    rules = console.client.get("/rules")
    assert "Noisy lab rule" in rules.text
    detectors = re.search(r'id="detectors">(.*?)</table>', rules.text, re.S)
    assert detectors and "<td>0 %</td>" in detectors.group(1)
    suggestions = re.search(r'id="suggestions">(.*?)</table>', rules.text, re.S)
    assert suggestions and f"principal = {BUILD}" in suggestions.group(1)
    form = re.search(r'<form method="post" action="/suppressions">(.*?)</form>', rules.text, re.S)
    assert form
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))
    assert fields["rule_id"] == "noisy" and fields["value"] == BUILD
    # Accepting needs the session's token and an analyst.
    refused = console.client.post("/suppressions", data={**fields, "csrf": "x"})
    assert refused.status_code == 403
    accepted = console.client.post("/suppressions", data=fields, follow_redirects=False)
    assert accepted.status_code == 303
    (stored,) = console.api.product.app.suppressions.list()
    assert (stored["created_by"], stored["active"]) == ("alice", True)
    rules = console.client.get("/rules")
    listed = re.search(r'id="suppression-list">(.*?)</table>', rules.text, re.S)
    assert listed and f"principal = {BUILD}" in listed.group(1)
    assert "Nothing to suggest" in rules.text
    assert _record(store, 5) == []  # the next match of the rule and principal: dropped
    assert console.api.product.app.suppressions.list()[0]["hits"] == 1
    removed = console.client.post(
        f"/suppressions/{stored['id']}/delete",
        data={"csrf": csrf_of(rules.text)},
        follow_redirects=False,
    )
    assert removed.status_code == 303 and console.api.product.app.suppressions.list() == []
    assert _record(store, 6) != []


def test_a_viewer_cannot_accept_or_give_verdicts(console: Console) -> None:
    store = AlertStore.for_data_dir(console.api.product.data_dir)
    alert_id = str(_record(store, 0)[0]["id"])
    console.sign_in("vic")
    page = console.client.get(f"/alerts/{alert_id}")
    assert 'id="verdict"' not in page.text
    token = csrf_of(page.text)
    verdict = console.client.post(f"/alerts/{alert_id}", data={"csrf": token, "status": "resolved"})
    assert verdict.status_code == 403
    fields = {"csrf": token, "rule_id": "noisy", "field": "principal", "value": BUILD}
    assert console.client.post("/suppressions", data=fields).status_code == 403
    assert console.api.product.app.suppressions.list() == []
