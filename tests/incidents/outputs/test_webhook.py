"""The webhook output against a local HTTP server on 127.0.0.1: format, severity, retries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from trailhound.data_dir import DataDir
from trailhound.errors import IncidentError
from trailhound.incidents.outputs.base import OUTPUTS, build_output
from trailhound.incidents.outputs.webhook import WebhookOutput, parse_target


class Hook:
    """A chat webhook that answers the statuses it is told to, in order, then 200."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.bodies.append(orjson.loads(body))
                status = hook.statuses.pop(0) if hook.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T0/B0/SECRET123"


@pytest.fixture
def hook() -> Iterator[Hook]:
    found = Hook()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def _alert(severity: str, *, grown: bool = False, n: int = 0) -> dict[str, Any]:
    created = datetime(2026, 11, 2, tzinfo=UTC)
    return {
        "id": f"al-{n:016x}",
        "rule_id": "r",
        "title": f"Trail stopped {n}",
        "severity": severity,
        "actor": "alice",
        "account": "111122223333",
        "count": 2,
        "created_at": created,
        "updated_at": datetime.now(UTC) if grown else created,
    }


@pytest.fixture
def output(hook: Hook, tmp_path: Path) -> WebhookOutput:
    made = build_output("webhook", hook.url, DataDir(tmp_path))
    assert isinstance(made, WebhookOutput)
    made.backoff = 0.01  # type: ignore[misc]
    return made


def test_new_alerts_above_the_severity_are_posted_as_slack_json(
    hook: Hook, output: WebhookOutput
) -> None:
    assert OUTPUTS.get("webhook") is WebhookOutput
    output.send(
        [
            _alert("critical", n=1),
            _alert("high", n=2),
            _alert("medium", n=3),
            _alert("high", grown=True, n=4),
        ]
    )
    assert len(hook.bodies) == 1
    message = hook.bodies[0]
    assert message["text"].startswith("trailhound: 2 new alerts\n")
    assert "[CRITICAL] Trail stopped 1: alice in 111122223333" in message["text"]
    assert [b["type"] for b in message["blocks"]] == ["section", "section"]
    assert [a["id"] for a in message["alerts"]] == [f"al-{1:016x}", f"al-{2:016x}"]
    output.send([_alert("low", n=5)])
    assert len(hook.bodies) == 1  # nothing at or above high: nothing posted


def test_failures_are_retried_then_reported_without_the_url(
    hook: Hook, output: WebhookOutput, caplog: pytest.LogCaptureFixture
) -> None:
    hook.statuses = [503, 429]
    output.send([_alert("high")])
    assert len(hook.bodies) == 3  # two failures, then delivered
    hook.statuses = [500] * 10
    with caplog.at_level(logging.INFO), pytest.raises(IncidentError) as failed:
        output.send([_alert("high")])
    assert len(hook.bodies) == 3 + WebhookOutput.attempts
    assert "SECRET123" not in str(failed.value) and "SECRET123" not in caplog.text
    hook.statuses = [400]
    with pytest.raises(IncidentError, match="HTTP 400"):
        output.send([_alert("high")])
    assert len(hook.bodies) == 4 + WebhookOutput.attempts  # a 4xx is not retried


def test_the_target_names_a_severity_and_an_http_url(tmp_path: Path) -> None:
    assert parse_target("https://h.example/x") == ("high", "https://h.example/x")
    assert parse_target("MEDIUM https://h.example/x") == ("medium", "https://h.example/x")
    for bad in ("file:///etc/passwd", "loud https://h.example/x", "", "https:///nohost"):
        with pytest.raises(IncidentError):
            WebhookOutput(bad, data_dir=DataDir(tmp_path))


def test_the_url_is_stored_as_given_and_shown_masked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.cli.conftest import run
    from trailhound.app import Trailhound

    url = "https://hooks.slack.com/services/T000/B000/SECRET123"
    app = Trailhound(tmp_path / "data")
    with caplog.at_level(logging.DEBUG):
        assert app.set_setting("output.webhook", f"medium {url}") == (
            "medium https://hooks.slack.com/…"
        )
        assert app.get_setting("output.webhook") == "medium https://hooks.slack.com/…"
        assert app.list_settings()["output.webhook"] == "medium https://hooks.slack.com/…"
        # Stored as given: the output posts to the whole URL.
        assert app.state.get_setting("output.webhook") == f"medium {url}"
        assert app.get_setting("output.jsonl") is None  # other outputs' targets are not secret
        app.set_setting("output.jsonl", "alerts.jsonl")
        assert app.list_settings()["output.jsonl"] == "alerts.jsonl"
        for args in (
            ("config", "set", "output.webhook", url),
            ("config", "get", "output.webhook"),
            ("config", "list"),
        ):
            code, output = run(tmp_path / "data", *args)
            assert code == 0 and "hooks.slack.com" in output, output
            assert "SECRET123" not in output and "/services" not in output, output
    assert "SECRET123" not in caplog.text
    assert app.state.get_setting("output.webhook") == url
