"""``POST /ingest/cloudtrail``: counts, idempotence, formats, quarantine, the streaming limit,
detection as on ``trailhound ingest``, and concurrent pushers losing nothing."""

from __future__ import annotations

import gzip
import select
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import orjson

from tests.api.conftest import Api, log_file, records, serve_live, start_api
from trailhound.api.deps import ServerSettings

PUSH = "/api/v1/ingest/cloudtrail"


def _count(api: Api) -> int:
    answer = api.post("/api/v1/sql", "viewer", json={"sql": "SELECT count(*) AS n FROM cloudtrail"})
    return int(answer.json()["rows"][0]["n"])


def test_push_stores_and_is_idempotent_on_event_id(api: Api) -> None:
    first = api.post(PUSH, "ingest", content=log_file(records(0, 12)))
    assert first.status_code == 200, first.text
    assert first.json() == {
        "records": 12, "accepted": 12, "stored": 12, "duplicates": 0, "quarantined": 0
    }  # fmt: skip
    again = api.post(PUSH, "ingest", content=log_file(records(6, 12)))  # 6 old, 6 new
    assert again.json()["stored"] == 6 and again.json()["duplicates"] == 6
    assert _count(api) == 18
    events = api.post(
        "/api/v1/query", "viewer", json={"query": "dataset = cloudtrail | fields source_object"}
    ).json()["rows"]
    assert all(e["source_object"].startswith("push:ingest-key/") for e in events)


def test_push_takes_plain_files_and_json_lines(api: Api) -> None:
    plain = api.post(PUSH, "ingest", content=log_file(records(0, 3), compress=False))
    assert plain.json()["stored"] == 3
    lines = b"\n".join(orjson.dumps(r) for r in records(3, 4)) + b"\n"
    assert api.post(PUSH, "ingest", content=lines).json()["stored"] == 4
    assert api.post(PUSH, "ingest", content=gzip.compress(lines)).json()["duplicates"] == 4
    assert api.post(PUSH, "admin", content=log_file(records(7, 1))).json()["stored"] == 1
    assert _count(api) == 8


def test_push_counts_what_is_quarantined(api: Api) -> None:
    good = records(0, 2)
    bad = [{"eventName": "NoTimeNoId"}, "not an object"]
    answer = api.post(PUSH, "ingest", content=log_file([*good, *bad]))
    body = answer.json()
    assert body["stored"] == 2 and body["quarantined"] == 2, body
    garbage = api.post(PUSH, "ingest", content=b"\x1f\x8b this is not gzip")
    assert garbage.status_code == 200 and garbage.json()["quarantined"] >= 1
    empty = api.post(PUSH, "ingest", content=b"")
    assert empty.status_code == 400


def test_push_over_the_limit_is_cut_off_while_streaming(tmp_path: Path) -> None:
    limit = 256 * 1024
    for server in serve_live(tmp_path, ServerSettings(detect=False, ingest_limit=limit)):
        key = server.keys["ingest"]
        # Declared too large: refused before a byte of the body is read.
        declared = httpx.post(
            server.url + PUSH,
            headers={"Authorization": f"Bearer {key}", "Content-Length": str(limit + 1)},
            content=b"x" * (limit + 1),
        )
        assert declared.status_code == 413 and declared.json()["limit"] == limit
        # Chunked, with no length: the server answers 413 once the limit is passed, long
        # before the 64 MB the client would send.
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(
                f"POST {PUSH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
            sent = 0
            answered = False
            while sent < 1000 and not answered:
                try:
                    sock.sendall(chunk)
                except OSError:  # the server closed the connection after answering
                    break
                sent += 1
                answered = bool(select.select([sock], [], [], 0.01)[0])
            head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert sent * 65536 < 32 * 1024 * 1024  # socket buffers aside, not the whole body
        small = httpx.post(
            server.url + PUSH,
            headers={"Authorization": f"Bearer {key}"},
            content=log_file(records(0, 5)),
            timeout=60,
        )
        assert small.json()["stored"] == 5


def test_push_runs_detection_as_ingest_does(detecting_api: Api) -> None:
    api = detecting_api
    stop = records(
        100, 1, eventName="StopLogging", eventSource="cloudtrail.amazonaws.com", readOnly=False
    )
    assert api.post(PUSH, "ingest", content=log_file(stop)).json()["stored"] == 1
    alerts = api.get("/api/v1/alerts", "viewer").json()["alerts"]
    assert any("StopLogging" in str(a["event_ids"]) or a["rule_id"] for a in alerts)
    assert any(a["event_ids"] == [stop[0]["eventID"]] for a in alerts), alerts


def test_concurrent_pushers_lose_nothing(api: Api) -> None:
    def push(n: int) -> tuple[int, int]:
        answer = api.post(PUSH, "ingest", content=log_file(records(n * 10, 10)))
        assert answer.status_code == 200, answer.text
        return answer.json()["stored"], answer.json()["duplicates"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(push, [n % 12 for n in range(16)]))  # 4 pushed twice
    assert sum(s for s, _ in results) == 120
    assert sum(d for _, d in results) == 40
    assert _count(api) == 120


def test_push_without_the_ingest_loop_is_unavailable(tmp_path: Path) -> None:
    for api in start_api(tmp_path, ServerSettings(ingest=False)):
        answer = api.post(PUSH, "ingest", content=log_file(records(0, 1)))
        assert answer.status_code == 503 and answer.json()["type"].endswith("unavailable")
        assert api.client.get("/api/v1/health").json()["ingest"] is False


def test_twenty_concurrent_pushers_and_a_querier_get_no_error_and_exact_counts(
    api: Api,
) -> None:
    # 20 bodies of 10 events, each sharing 5 events with the next: 105 distinct events.
    bodies = [log_file(records(n * 5, 10)) for n in range(20)]
    pushed = {e["eventID"] for n in range(20) for e in records(n * 5, 10)}
    done = False

    def query() -> int:
        answers = 0
        while not done:
            answer = api.post("/api/v1/sql", "viewer", json={"sql": "SELECT 1 AS n"})
            assert answer.status_code == 200, answer.text
            answers += 1
        return answers

    with ThreadPoolExecutor(21) as pool:
        querier = pool.submit(query)
        answers = list(pool.map(lambda body: api.post(PUSH, "ingest", content=body), bodies))
        done = True
        assert querier.result() >= 1
    assert [a.status_code for a in answers] == [200] * 20, [a.text for a in answers]
    counts = [a.json() for a in answers]
    assert sum(c["stored"] for c in counts) == len(pushed) == 105
    assert sum(c["duplicates"] for c in counts) == 200 - 105
    assert all(c["accepted"] == 10 and c["quarantined"] == 0 for c in counts)
    held = api.post(
        "/api/v1/sql",
        "viewer",
        json={"sql": "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM cloudtrail"},
    ).json()["rows"][0]
    assert held == {"n": 105, "d": 105}
