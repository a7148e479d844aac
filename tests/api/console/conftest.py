"""The console in process: an app over a fresh data directory, users of every role, and a
client that signs in through the form as a browser would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from tests.api.conftest import Api, start_api
from tests.incidents.incident_support import assume_role, call, raise_alerts, session, user
from trailhound.data_dir import DataDir

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass
class Console:
    """The app, its API handle, and sign-in."""

    api: Api

    @property
    def client(self) -> Any:
        """The test client (it keeps cookies, as a browser does)."""
        return self.api.client

    def sign_in(self, name: str, password: str = PASSWORD, next_path: str = "") -> Any:
        """Fill in and send the sign-in form; the answer, not followed."""
        form = self.client.get("/login")
        return self.client.post(
            "/login",
            data={
                "name": name,
                "password": password,
                "csrf": csrf_of(form.text),
                "next": next_path,
            },
            follow_redirects=False,
        )

    def sign_out(self) -> None:
        """Forget the session cookie (another user signs in next)."""
        self.client.cookies.clear()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """The console over a fresh data directory with users alice (analyst), vic (viewer) and
    ada (admin); argon2 at its cheapest, for speed."""
    for api in start_api(tmp_path / "data"):
        api.product.users.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        for name, role in (("alice", "analyst"), ("vic", "viewer"), ("ada", "admin")):
            api.product.users.add(name, role, PASSWORD)
        yield Console(api)


def make_incident(api: Api) -> str:
    """One incident: mallory assumes a role whose session stops a trail; its ID."""
    mallory = user("mallory", "AKIAMALLORY000000001")
    hop = session("Hop", "hop-1", "ASIAHOP0000000000001")
    raise_alerts(
        DataDir(api.product.data_dir.root),
        [
            assume_role(mallory, "Hop", "hop-1", "ASIAHOP0000000000001", 0),
            call(hop, "cloudtrail", "StopLogging", 1, params={"name": "main"}, ip="203.0.113.9"),
        ],
    )
    (incident,) = api.product.app.list_incidents()
    return str(incident["id"])
