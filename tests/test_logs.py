"""Logging: configured once by the front door, as text or JSON lines, controls escaped."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from trailhound.cli import app
from trailhound.logs import configure_logging


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    """Leave the trailhound logger as the suite found it."""
    logger = logging.getLogger("trailhound")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_json_lines_carry_the_fields_and_the_extras() -> None:
    stream = io.StringIO()
    configure_logging("info", "json", stream)
    log = logging.getLogger("trailhound.collect")
    log.info("collecting %s", "prod", extra={"integration": "prod"})
    log.debug("not shown at info")
    try:
        raise ValueError("boom")
    except ValueError:
        log.warning("failed", exc_info=True)
    first, second = (orjson.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "info" and first["logger"] == "trailhound.collect"
    assert first["message"] == "collecting prod" and first["integration"] == "prod"
    assert first["time"].endswith("Z")
    assert second["level"] == "warning" and "ValueError: boom" in second["exc"]


def test_text_escapes_what_would_steer_a_terminal_and_a_second_call_replaces_the_first() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("warning", "text", first)
    configure_logging("warning", "text", second)
    logging.getLogger("trailhound.ingest").warning("%s not stored", "evil\x1b[2J.json")
    assert first.getvalue() == ""
    (line,) = second.getvalue().splitlines()
    assert line.endswith("WARNING trailhound.ingest: evil\\x1b[2J.json not stored")


def test_unknown_level_or_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log level"):
        configure_logging("loud")
    with pytest.raises(ValueError, match="log format"):
        configure_logging("info", "xml")
    result = CliRunner().invoke(app, ["--log-format", "xml", "schema"])
    assert result.exit_code == 2 and "--log-format" in result.output


def test_the_command_line_logs_every_skipped_file_and_no_secret(tmp_path: Path) -> None:
    log = write_log(tmp_path / "logs", [make_record(1)])
    digest = log.parent.parent / "CloudTrail-Digest" / "x_CloudTrail-Digest_20261101T1000Z.json.gz"
    digest.parent.mkdir(parents=True)
    digest.write_bytes(b"{}")
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "store"), "--log-level", "debug", "--log-format", "json"]
    result = runner.invoke(app, [*base, "ingest", "--no-detect", str(tmp_path / "logs")])
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    skipped = [r["message"] for r in records if r["message"].startswith("skipped")]
    assert skipped == [f"skipped {digest}: digest file"]
    again = runner.invoke(app, [*base, "ingest", "--no-detect", str(tmp_path / "logs")])
    assert f"skipped {log}: already ingested" in again.stderr
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
    role = "arn:aws:iam::111122223333:role/r"
    add = ["integration", "add", "prod", "--queue-url", queue, "--role-arn", role]
    added = runner.invoke(
        app,
        [*base, *add, "--external-id", "-"],
        input="th-5ecret-7e51d2b8a4\n",
    )
    assert added.exit_code == 0, added.output
    shown = runner.invoke(app, [*base, "integration", "show", "prod"])
    assert "th-5ecret-7e51d2b8a4" not in added.output + shown.output
