"""The API in process: a fresh data directory, a client, and a key of every role."""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

with warnings.catch_warnings():  # starlette's notice about httpx, not about this code
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from tests.conftest import make_record
from trailhound.api.app import create_app
from trailhound.api.deps import Product, ServerSettings
from trailhound.api.keys import ROLES
from trailhound.data_dir import DataDir


@dataclass
class Api:
    """A running app, its product and a key per role."""

    client: TestClient
    product: Product
    keys: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        """The Authorization header of the role's key."""
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def post(self, path: str, role: str, **kwargs: Any) -> Any:
        """POST as the role."""
        headers = {**self.headers(role), **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)

    def get(self, path: str, role: str, **kwargs: Any) -> Any:
        """GET as the role."""
        return self.client.get(path, headers=self.headers(role), **kwargs)


def log_file(records: list[dict[str, Any]], *, compress: bool = True) -> bytes:
    """A CloudTrail log file body."""
    body = orjson.dumps({"Records": records})
    return gzip.compress(body) if compress else body


def records(start: int, count: int, **overrides: Any) -> list[dict[str, Any]]:
    """``count`` distinct events numbered from ``start``."""
    return [make_record(n, **overrides) for n in range(start, start + count)]


def start_api(root: Path, settings: ServerSettings | None = None) -> Iterator[Api]:
    """An app over ``root`` with its lifespan (the ingest loop) running."""
    app = create_app(DataDir(root), settings or ServerSettings(detect=False))
    found = app.state.product
    keys = {role: found.keys.create(role, f"{role}-key")[1] for role in ROLES}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, found, keys)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """The API over a fresh data directory (detection off: fast)."""
    yield from start_api(tmp_path / "data")


@pytest.fixture
def detecting_api(tmp_path: Path) -> Iterator[Api]:
    """The API over a fresh data directory, detection on as in ``trailhound ingest``."""
    yield from start_api(tmp_path / "data", ServerSettings(detect=True))


@dataclass
class LiveServer:
    """The API served by uvicorn on 127.0.0.1, over a real socket."""

    url: str
    port: int
    product: Product
    keys: dict[str, str]


def serve_live(root: Path, settings: ServerSettings | None = None) -> Iterator[LiveServer]:
    """uvicorn serving the API over ``root`` in a thread, until the generator is closed."""
    import socket
    import threading
    import time

    import uvicorn

    app = create_app(DataDir(root), settings or ServerSettings(detect=False))
    found = app.state.product
    keys = {role: found.keys.create(role, f"{role}-key")[1] for role in ROLES}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", port, found, keys)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server on 127.0.0.1 over a fresh data directory."""
    yield from serve_live(tmp_path / "data")
