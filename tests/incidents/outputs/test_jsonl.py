"""The JSON-lines output: configured by a setting, fed by every path that raises alerts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.errors import IncidentError
from trailhound.incidents.outputs.jsonl import JsonLinesOutput


def _run(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--data-dir", str(store), *args])
    return result.exit_code, result.output


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _stop(n: int, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "eventName": "StopLogging",
        "eventSource": "cloudtrail.amazonaws.com",
        "requestParameters": {"name": "main"},
        "readOnly": False,
    }
    return make_record(n, **(fields | overrides))


def test_new_and_grown_alerts_are_appended_from_ingest_hunts_and_conflicts(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    code, output = _run(store, "config", "set", "output.jsonl", "out/alerts.jsonl")
    assert code == 0, output
    assert _run(store, "config", "get", "output.jsonl")[1].strip() == "out/alerts.jsonl"
    feed = store / "out" / "alerts.jsonl"
    write_log(tmp_path / "a", [_stop(1)], name="a")
    assert _run(store, "ingest", str(tmp_path / "a"))[0] == 0
    [new] = _lines(feed)
    assert (new["change"], new["count"], new["source"]) == ("new", 1, "rule")
    assert new["title"] == "CloudTrail trail stopped or deleted" and "dedup_key" not in new
    assert new["first_seen"].endswith("Z") and oct(feed.stat().st_mode & 0o777) == "0o600"
    # The same trail stopped again by the same actor, minutes later, grows that alert.
    write_log(tmp_path / "b", [_stop(4)], name="b")
    assert _run(store, "ingest", str(tmp_path / "b"))[0] == 0
    grown = _lines(feed)[-1]
    assert (grown["change"], grown["id"], grown["count"]) == ("updated", new["id"], 2)
    # A hunt finds nothing new: nothing is appended.
    assert _run(store, "detect", "--since", "all")[0] == 0
    assert len(_lines(feed)) == 2
    # An eventID conflict raises its alert through the same store, and so reaches the file.
    forged = dict(_stop(1), sourceIPAddress="203.0.113.66")
    (tmp_path / "forged.jsonl").write_bytes(orjson.dumps(forged))
    assert _run(store, "ingest", "--no-detect", str(tmp_path / "forged.jsonl"))[0] == 0
    conflict = _lines(feed)[-1]
    assert (conflict["rule_id"], conflict["source"]) == ("ingest-eventid-conflict", "ingest")
    # Switched off, the file no longer grows.
    assert _run(store, "config", "set", "output.jsonl", "")[0] == 0
    write_log(tmp_path / "c", [_stop(3, eventName="DeleteTrail")], name="c")
    assert _run(store, "ingest", str(tmp_path / "c"))[0] == 0
    assert len(_lines(feed)) == 3


@pytest.mark.parametrize("target", ["../escape.jsonl", "/tmp/elsewhere.jsonl", "", "."])
def test_the_file_must_be_inside_the_data_directory(tmp_path: Path, target: str) -> None:
    store = tmp_path / "store"
    code, _ = _run(store, "config", "set", "output.jsonl", target or " ")
    assert code != 0 and "output.jsonl" not in _run(store, "config", "get", "output.jsonl")[1]
    assert not (tmp_path / "escape.jsonl").exists()


def test_a_link_out_of_the_data_directory_is_refused(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "store").ensure()
    outside = tmp_path / "outside.jsonl"
    (data_dir.root / "alerts.jsonl").symlink_to(outside)
    with pytest.raises(IncidentError, match="inside the data directory"):
        JsonLinesOutput("alerts.jsonl", data_dir=data_dir)
    # A link planted after the check is not followed either.
    output = JsonLinesOutput("late.jsonl", data_dir=data_dir)
    (data_dir.root / "late.jsonl").symlink_to(outside)
    with pytest.raises(OSError):
        output.send([{"id": "al-1", "created_at": 1, "updated_at": 1}])
    assert not outside.exists()


def test_unknown_outputs_and_settings_are_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, output = _run(store, "config", "set", "output.pager", "https://example.com/hook")
    assert code != 0 and "no output named 'pager'" in output
    code, output = _run(store, "config", "set", "colour", "blue")
    assert code != 0 and "output.<name>" in output


def test_lines_are_whole_when_appended(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "store").ensure()
    output = JsonLinesOutput("a.jsonl", data_dir=data_dir)
    for n in range(3):
        output.send([{"id": f"al-{n}", "title": "x" * 5000, "created_at": n, "updated_at": n + 1}])
    lines = _lines(data_dir.root / "a.jsonl")
    assert [(line["id"], line["change"]) for line in lines] == [
        ("al-0", "updated"), ("al-1", "updated"), ("al-2", "updated"),
    ]  # fmt: skip
    assert os.stat(data_dir.root / "a.jsonl").st_size == sum(
        len(orjson.dumps(line)) + 1 for line in lines
    )
