"""Every route of the app, tried without a key, with a bad key, with the wrong role, with a
body over the limit and with a malformed body: the route table is read from the app, so a new
route is covered the day it is added."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute

from tests.api.conftest import Api, start_api
from trailhound.api.app import PREFIX, ROUTERS, create_app
from trailhound.api.keys import ROLES, KeyStore, role_allows
from trailhound.api.users import LoginLimiter, UserStore
from trailhound.data_dir import DataDir
from trailhound.store.state import StateDB

PUBLIC = {"/api/v1/health", "/api/v1/setup/templates/{token}"}
SAMPLE = {
    "alert_id": "al-0123456789abcdef",
    "incident_id": "in-0123456789abcdef",
    "rule_id": "cloudtrail_stopped_or_deleted",
    "name": "prod",
    "token": "A" * 32,
    "suppression_id": "sp-0123456789ab",
}


def _routes() -> list[tuple[str, str, str | None]]:
    """(method, path, role needed) of every API route: the served OpenAPI paths, each with the
    role its handler's dependencies ask for (read from the routers the app mounts)."""
    roles: dict[tuple[str, str], str | None] = {}
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            needed = [
                d.call.__name__.removeprefix("require_")
                for d in route.dependant.dependencies
                if getattr(d.call, "__name__", "").startswith("require_")
            ]
            for method in route.methods:
                roles[(method, PREFIX + route.path)] = needed[0] if needed else None
    with tempfile.TemporaryDirectory() as root:
        spec = create_app(DataDir(Path(root))).openapi()
    served = {
        (method.upper(), path): "requestBody" in operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if path.startswith(PREFIX)
    }
    assert sorted(served) == sorted(roles), "a route is served that no mounted router holds"
    BODIES.update(k for k, takes in served.items() if takes)
    return [(m, p, roles[(m, p)]) for m, p in sorted(served)]


BODIES: set[tuple[str, str]] = set()  # the routes that read a request body


ROUTES = _routes()
PROTECTED = [r for r in ROUTES if r[1] not in PUBLIC]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One app for the route-table tests, which change nothing (they are all refused)."""
    yield from start_api(tmp_path_factory.mktemp("routes"))


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body


def test_the_route_table_is_what_the_issue_asks_for() -> None:
    paths = {(m, p) for m, p, _ in ROUTES}
    for wanted in [
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/query"),
        ("POST", "/api/v1/sql"),
        ("GET", "/api/v1/alerts"),
        ("PATCH", "/api/v1/alerts/{alert_id}"),
        ("GET", "/api/v1/incidents"),
        ("PATCH", "/api/v1/incidents/{incident_id}"),
        ("POST", "/api/v1/incidents/{incident_id}/comments"),
        ("GET", "/api/v1/incidents/{incident_id}/graph"),
        ("POST", "/api/v1/rules"),
        ("POST", "/api/v1/integrations/{name}/test"),
        ("POST", "/api/v1/setup/aws"),
        ("POST", "/api/v1/ingest/cloudtrail"),
        ("GET", "/api/v1/suppressions"),
        ("POST", "/api/v1/suppressions"),
        ("DELETE", "/api/v1/suppressions/{suppression_id}"),
    ]:
        assert wanted in paths
    # Every route but the public ones names the role it needs.
    assert all(role in ROLES for _, path, role in PROTECTED), PROTECTED
    assert {p for _, p, r in ROUTES if r is None} == PUBLIC


@pytest.mark.parametrize(("method", "path", "role"), PROTECTED)
def test_every_route_refuses_no_key_and_a_bad_key(
    shared: Api, method: str, path: str, role: str
) -> None:
    url = _url(path)
    body = _problem(shared.client.request(method, url), 401)
    assert "key" in body["detail"]
    for header in ("Bearer th_000000000000_" + "A" * 43, "Bearer nonsense", "Basic YTpi"):
        answer = shared.client.request(method, url, headers={"Authorization": header})
        _problem(answer, 401)
        assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "role"), PROTECTED)
def test_every_route_refuses_the_wrong_role(shared: Api, method: str, path: str, role: str) -> None:
    refused = [r for r in ROLES if not role_allows(r, role)]
    assert refused or role == "ingest" or role == "viewer"
    for other in refused:
        answer = shared.client.request(method, _url(path), headers=shared.headers(other))
        body = _problem(answer, 403)
        assert role in body["detail"]


@pytest.mark.parametrize(("method", "path", "role"), [r for r in ROUTES if r[0] != "GET"])
def test_every_route_refuses_a_body_over_the_limit(
    shared: Api, method: str, path: str, role: str | None
) -> None:
    takes_body = (method, path) in BODIES
    limit = shared.product.settings.body_limit
    if "/ingest/" in path:
        limit = shared.product.settings.ingest_limit
    headers = shared.headers(role or "admin")
    # Declared too large: refused before any of it is read.
    answer = shared.client.request(
        method, _url(path), headers={**headers, "content-length": str(limit + 1)}, content=b"x"
    )
    _problem(answer, 413)
    # Sent in chunks with no length: cut off while it streams, by every route reading a body.
    if takes_body and "/ingest/" not in path:  # the ingest route's has its own test
        chunks = (b"x" * 65536 for _ in range(limit // 65536 + 2))
        _problem(shared.client.request(method, _url(path), headers=headers, content=chunks), 413)


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [r for r in PROTECTED if r[:2] in BODIES and "/ingest/" not in r[1]],
)
def test_every_route_answers_a_malformed_body_with_a_problem(
    shared: Api, method: str, path: str, role: str
) -> None:
    for content in (b"{not json", b"[1, 2", b"\xff\xfe\x00", b'{"query": 5, "sql": []}'):
        answer = shared.client.request(
            method,
            _url(path),
            headers={**shared.headers(role), "content-type": "application/json"},
            content=content,
        )
        assert 400 <= answer.status_code < 500, (path, content, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")


INJECTIONS = [
    "'; DROP TABLE alerts; --",
    '" OR 1=1 --',
    "x') UNION SELECT key_hash FROM api_keys --",
    "1; ATTACH '/etc/passwd' AS p",
    "%' OR '%'='",
]


def test_injection_shaped_values_stay_values(api: Api) -> None:
    from tests.api.conftest import log_file, records

    assert api.post("/api/v1/ingest/cloudtrail", "ingest", content=log_file(records(0, 3)))
    for value in INJECTIONS:
        # In a pipe query's string literal and parameter: a value compared, never SQL.
        for body in (
            {"query": f"dataset = cloudtrail | filter eventName = {json.dumps(value)}"},
            {"query": "dataset = cloudtrail | filter eventName = $v", "params": {"v": value}},
        ):
            answer = api.post("/api/v1/query", "viewer", json=body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["rows"] == []
        # In path and query-string parameters: refused or not found, never run.
        for method in ("GET", "PATCH"):
            answer = api.client.request(
                method,
                f"/api/v1/alerts/{quote(value, safe='')}",
                headers=api.headers("admin"),
                json={"status": "resolved"},
            )
            assert answer.status_code in (404, 422), answer.text
        answer = api.get("/api/v1/alerts", "viewer", params={"rule_id": value})
        assert answer.status_code == 200 and answer.json()["alerts"] == []
        # SQL refuses anything but one read-only statement.
        for sql in (value, f"SELECT 1; {value}"):
            _problem(api.post("/api/v1/sql", "viewer", json={"sql": sql}), 400)
    # The key hashes are never readable, and nothing was dropped.
    answer = api.post("/api/v1/sql", "viewer", json={"sql": "SELECT key_hash FROM api_keys"})
    _problem(answer, 400)
    answer = api.post("/api/v1/sql", "viewer", json={"sql": "SELECT count(*) AS n FROM cloudtrail"})
    assert answer.json()["rows"] == [{"n": 3}]
    assert api.get("/api/v1/alerts", "viewer").status_code == 200


def test_health_needs_no_key(api: Api) -> None:
    answer = api.client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    assert answer.json()["ingest"] is True


def test_openapi_documents_the_routes(api: Api) -> None:
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/query" in spec["paths"] and "/api/v1/ingest/cloudtrail" in spec["paths"]


def test_keys_are_stored_hashed_and_revocable(tmp_path: Any) -> None:
    state = StateDB(tmp_path / "state.duckdb")
    store = KeyStore(state)
    record, key = store.create("analyst", "ci")
    assert key.startswith(f"th_{record.id}_") and len(key) > 50
    with state.connect() as con:
        stored = con.execute("SELECT * FROM api_keys").fetchall()
    assert key not in repr(stored)
    assert store.verify(key) == ("analyst", "ci")
    assert store.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    store.revoke(record.id)
    assert store.verify(key) is None
    assert [k.revoked_at is not None for k in store.list_keys()] == [True]
    with pytest.raises(Exception, match="unknown role"):
        store.create("root")


def test_revoked_key_is_refused_by_the_server(api: Api) -> None:
    assert api.get("/api/v1/alerts", "viewer").status_code == 200
    key_id = api.keys["viewer"].split("_")[1]
    KeyStore(api.product.state).revoke(key_id)  # as `trailhound keys revoke` would
    api.product.keys._loaded_at = -10  # the server re-reads within seconds; now, for the test
    _problem(api.get("/api/v1/alerts", "viewer"), 401)


def test_user_passwords_are_argon2_hashes_and_checked(tmp_path: Any) -> None:
    state = StateDB(tmp_path / "state.duckdb")
    users = UserStore(state, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    users.add("alice", "analyst", "correct horse battery staple")
    with state.connect() as con:
        (stored,) = con.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.authenticate("alice", "correct horse battery staple") is not None
    assert users.authenticate("alice", "wrong password here") is None
    assert users.authenticate("mallory", "correct horse battery staple") is None
    with pytest.raises(Exception, match="at least"):
        users.add("bob", "viewer", "short")
    with pytest.raises(Exception, match="unknown role"):
        users.add("bob", "ingest", "long enough password")


def test_login_limiter_slows_guessing() -> None:
    limiter = LoginLimiter(attempts=3, window=60)
    for _ in range(3):
        assert limiter.allowed("alice", "10.0.0.1")
        limiter.failed("alice", "10.0.0.1")
    assert not limiter.allowed("alice", "10.0.0.9")  # the name is locked, from anywhere
    assert not limiter.allowed("bob", "10.0.0.1")  # and the address, for any name
    assert limiter.allowed("bob", "10.0.0.2")
