"""End to end in a real browser: the real server (uvicorn on 127.0.0.1) over demo data, driven
by Debian's headless chromium through Playwright (the system browser; Playwright's own
browsers are never downloaded). Sign in, run a query and see rows, open an incident and see its
graph drawn (nodes in the cytoscape instance), change its status. Screenshots are saved under
``build/test-artifacts/``. Without chromium the test skips, saying why; under CI=true it fails.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from tests.api.conftest import LiveServer, serve_live
from tests.conftest import IN_CI
from trailhound.api.deps import ServerSettings
from trailhound.api.users import UserStore
from trailhound.app import Trailhound
from trailhound.store.state import StateDB

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[3] / "build" / "test-artifacts"
CHROMIUM = os.environ.get("TRAILHOUND_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
DEMO_EVENTS = 800


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}: the end-to-end tests cannot run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium (the system's), through Playwright."""
    if not Path(CHROMIUM).is_file():
        _unavailable(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as driver:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        launched = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server over a small demo bucket ingested with detection, and a user."""
    from trailhound_demo import generate_demo

    root = tmp_path_factory.mktemp("e2e")
    generate_demo(root / "logs", events=DEMO_EVENTS, seed=7, workers=1)
    app = Trailhound(root / "store")
    app.ingest_paths([root / "logs"])
    assert app.list_incidents(), "the demo data raised no incident"
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    UserStore(StateDB(app.data_dir.state_db), cheap).add("alice", "analyst", PASSWORD)
    yield from serve_live(root / "store", ServerSettings(detect=False, ingest=False))


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


def test_sign_in_search_open_an_incident_and_triage_it(browser: Any, server: LiveServer) -> None:
    started = time.perf_counter()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    problems: list[str] = []  # script errors and CSP refusals: the page must have none
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        # Sign in (sent there by the console itself), and come back to the incidents.
        page.goto(f"{server.url}/incidents?order=score")
        assert "/login" in page.url
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#incidents")
        assert page.inner_text("#who") == "alice (analyst)"
        _shot(page, "incidents")

        # A query: rows in the table and the histogram above it.
        page.goto(f"{server.url}/search")
        page.fill("#query", "dataset = cloudtrail | fields eventTime, eventName, actor | limit 50")
        page.click("#run")
        page.wait_for_selector("#results tbody tr")
        assert page.locator("#results tbody tr").count() == 50
        assert page.locator("#histogram rect").count() > 0
        _shot(page, "search")

        # The highest-scored incident: its graph drawn, alerting nodes highlighted.
        page.goto(f"{server.url}/incidents?order=score")
        page.click("#incidents tbody tr:first-child a")
        opened = time.perf_counter()
        page.wait_for_selector("#graph[data-ready='1']", timeout=20_000)
        graph_seconds = time.perf_counter() - opened
        nodes = page.evaluate("window.trailhoundGraph.nodes().length")
        alerting = page.evaluate("window.trailhoundGraph.nodes('[alert = 1]').length")
        roots = page.evaluate("window.trailhoundGraph.nodes('[root = 1]').length")
        assert nodes > 2 and alerting > 0 and roots > 0, (nodes, alerting, roots)
        assert page.locator("#timeline li").count() > 0
        _shot(page, "incident")

        # Triage: the status control changes the stored incident.
        page.select_option("#status-select", "in_progress")
        page.click("#save")
        page.wait_for_selector("#trail li")
        assert page.inner_text("#status") == "in_progress"
        assert "status new → in_progress" in page.inner_text("#trail")
        _shot(page, "triaged")
        assert problems == [], "\n".join(problems)
    finally:
        context.close()
    print(  # the figures of the report: -s shows them
        f"\ne2e: {time.perf_counter() - started:.1f} s in the browser; "
        f"incident page to graph drawn: {graph_seconds * 1000:.0f} ms ({nodes} nodes)"
    )
