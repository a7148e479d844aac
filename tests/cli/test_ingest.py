"""``ingest``: files and standard input, strictness, and the alerts it raises."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import run, runner
from tests.conftest import make_record, write_log
from trailhound.cli import app


def test_stdin_and_strict(tmp_path: Path) -> None:
    body = orjson.dumps({"Records": [make_record(1), make_record(2, eventTime=None)]})
    code, output = run(tmp_path / "s", "ingest", "-", stdin=body)
    assert code == 0 and "Ingested 1 events" in output and "1 quarantined" in output
    code, _ = run(tmp_path / "s2", "ingest", "--strict", "-", stdin=body)
    assert code == 1
    code, output = run(
        tmp_path / "s", "query", "dataset = quarantine | fields reason", "--format", "json"
    )
    assert code == 0 and orjson.loads(output) == [{"reason": "missing eventTime"}]


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "ingest", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_ingest_alerts_equal_a_hunt(tmp_path: Path) -> None:
    records = [
        make_record(
            1,
            eventName="StopLogging",
            eventSource="cloudtrail.amazonaws.com",
            requestParameters={"name": "main"},
            readOnly=False,
        ),
        make_record(
            2,
            eventName="DeleteTrail",
            eventSource="cloudtrail.amazonaws.com",
            requestParameters={"name": "main"},
            readOnly=False,
        ),
        make_record(3),
    ]
    write_log(tmp_path / "logs", records)
    store = tmp_path / "store"
    assert run(store, "ingest", str(tmp_path / "logs"))[0] == 0
    code, listed = run(store, "alerts", "list", "--format", "json")
    assert code == 0
    stored = {a["id"] for a in orjson.loads(listed)}
    assert stored and all(a["source"] == "rule" for a in orjson.loads(listed))
    code, hunted = run(store, "detect", "--since", "all", "--format", "json")
    assert code == 0 and {a["id"] for a in orjson.loads(hunted)} == stored
    code, again = run(store, "alerts", "list", "--format", "json")
    assert {a["id"] for a in orjson.loads(again)} == stored  # the hunt stored nothing twice
