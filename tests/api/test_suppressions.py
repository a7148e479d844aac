"""``/suppressions``: viewers list, analysts add and remove, through the application object;
what a suppression stores, its validation, and the 404 of one that is not there."""

from __future__ import annotations

from tests.api.conftest import Api

ROUTE = "/api/v1/suppressions"
BUILD = "arn:aws:iam::111122223333:role/build"


def test_analysts_add_and_remove_viewers_read(api: Api) -> None:
    assert api.get(ROUTE, "viewer").json() == {"suppressions": []}
    wanted = {"rule_id": "noisy", "field": "principal", "value": BUILD, "reason": "CI role"}
    refused = api.post(ROUTE, "viewer", json=wanted)
    assert refused.status_code == 403 and "analyst" in refused.json()["detail"]
    added = api.post(ROUTE, "analyst", json={**wanted, "days": 7})
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["id"].startswith("sp-") and body["created_by"] == "analyst-key"
    assert (body["rule_id"], body["field"], body["value"], body["hits"]) == (
        "noisy", "principal", BUILD, 0
    )  # fmt: skip
    forever = api.post(ROUTE, "admin", json={**wanted, "value": "10.0.0.1", "field": "source_ip",
                                             "days": None})  # fmt: skip
    assert forever.status_code == 201 and forever.json()["expires_at"] is None
    listed = api.get(ROUTE, "viewer", params={"active": True}).json()["suppressions"]
    assert {s["id"] for s in listed} == {body["id"], forever.json()["id"]}
    assert all(s["active"] for s in listed)
    # The application object sees what the API stored: the same store as the CLI's.
    assert {s["id"] for s in api.product.app.list_suppressions()} == {s["id"] for s in listed}
    gone = api.client.delete(f"{ROUTE}/{body['id']}", headers=api.headers("analyst"))
    assert gone.status_code == 204
    again = api.client.delete(f"{ROUTE}/{body['id']}", headers=api.headers("analyst"))
    assert again.status_code == 404 and again.json()["type"].startswith("https://")
    assert [s["id"] for s in api.get(ROUTE, "viewer").json()["suppressions"]] == [
        forever.json()["id"]
    ]


def test_a_suppression_that_cannot_work_is_refused(api: Api) -> None:
    good = {"rule_id": "noisy", "field": "principal", "value": BUILD}
    for bad in (
        {**good, "field": "eventName"},
        {**good, "value": ""},
        {**good, "days": 0},
        {**good, "days": 367},
        {"field": "principal", "value": BUILD},
    ):
        answer = api.post(ROUTE, "analyst", json=bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    blank = api.post(ROUTE, "analyst", json={**good, "value": "   "})
    assert blank.status_code == 400  # the store's own check: a value of spaces says nothing
    assert api.get(ROUTE, "viewer").json() == {"suppressions": []}
