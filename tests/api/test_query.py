"""``POST /query`` and ``POST /sql``: rows, pages, the row cap, errors naming the column, the
time limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, log_file, records, start_api
from trailhound.api.deps import ServerSettings


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """An API over 30 pushed events, with a row cap of 20."""
    settings = ServerSettings(detect=False, row_cap=20, query_seconds=5)
    for api in start_api(tmp_path_factory.mktemp("query"), settings):
        answer = api.post("/api/v1/ingest/cloudtrail", "ingest", content=log_file(records(0, 30)))
        assert answer.json()["stored"] == 30
        yield api


def test_a_pipe_query_returns_rows_as_objects(loaded: Api) -> None:
    answer = loaded.post(
        "/api/v1/query",
        "viewer",
        json={"query": "dataset = cloudtrail | comp count() as events by eventName"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["columns"] == ["eventName", "events"]
    assert body["rows"] == [{"eventName": "ListUsers", "events": 30}]
    assert body["next_offset"] is None


def test_pages_walk_every_row_once(loaded: Api) -> None:
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        answer = loaded.post(
            "/api/v1/query",
            "viewer",
            json={
                "query": "dataset = cloudtrail | fields eventID | sort eventID",
                "limit": 7,
                "offset": offset,
            },
        )
        body = answer.json()
        assert len(body["rows"]) <= 7
        seen += [r["eventID"] for r in body["rows"]]
        offset = body["next_offset"]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 30


def test_the_row_cap_bounds_a_page(loaded: Api) -> None:
    body = loaded.post(
        "/api/v1/query", "viewer", json={"query": "dataset = cloudtrail", "limit": 1000}
    ).json()
    assert len(body["rows"]) == 20 and body["limit"] == 20 and body["next_offset"] == 20


def test_a_query_that_does_not_parse_names_the_line_and_column(loaded: Api) -> None:
    text = "dataset = cloudtrail\n| filter eventName = \n| limit 3"
    answer = loaded.post("/api/v1/query", "viewer", json={"query": text})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith("/invalid-query")
    assert (body["line"], body["column"]) == (3, 1)  # where the missing value should be
    assert "expected a value" in body["detail"]
    answer = loaded.post(
        "/api/v1/query", "viewer", json={"query": "dataset = cloudtrail | filter evntName = 1"}
    )
    body = answer.json()
    assert answer.status_code == 400 and body["column"] == 31, body
    assert body.get("suggestion") == "eventName"


def test_a_saving_query_is_refused(loaded: Api) -> None:
    answer = loaded.post(
        "/api/v1/query", "analyst", json={"query": "dataset = cloudtrail | target type = dataset x"}
    )
    assert answer.status_code == 400 and "target" in answer.json()["detail"]


def test_sql_pages_and_refuses_writes(loaded: Api) -> None:
    answer = loaded.post(
        "/api/v1/sql",
        "viewer",
        json={"sql": "SELECT event_id FROM cloudtrail ORDER BY event_id", "limit": 5, "offset": 25},
    )
    body = answer.json()
    assert [r["event_id"][-2:] for r in body["rows"]] == ["25", "26", "27", "28", "29"]
    assert body["next_offset"] is None
    for sql in ("DELETE FROM alerts", "CREATE TABLE x AS SELECT 1", "COPY cloudtrail TO '/tmp/x'"):
        answer = loaded.post("/api/v1/sql", "viewer", json={"sql": sql})
        assert answer.status_code == 400 and "read-only" in answer.json()["detail"]


def test_a_query_past_the_time_limit_is_interrupted(tmp_path: Path) -> None:
    # In a worker process, as ``trailhound serve`` runs queries.
    settings = ServerSettings(detect=False, ingest=False, query_seconds=0.3, query_workers=1)
    for api in start_api(tmp_path, settings):
        heavy = "SELECT count(*) FROM range(100000000000) AS a(x) WHERE x % 7 = 3"
        answer = api.post("/api/v1/sql", "viewer", json={"sql": heavy})
        assert answer.status_code == 408, answer.text
        assert answer.json()["type"].endswith("/query-timeout")
        answer = api.post("/api/v1/sql", "viewer", json={"sql": "SELECT 42 AS answer"})
        assert answer.json()["rows"] == [{"answer": 42}]  # the worker is ready for the next
