"""``trailhound suppressions list|add|remove``: through the application object, refusing what
cannot work, and the alert store dropping what a suppression covers."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import run
from trailhound.app import Trailhound

BUILD = "arn:aws:iam::111122223333:role/build"


def test_add_list_and_remove(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, output = run(
        data, "suppressions", "add", "noisy", "principal", BUILD, "--days", "7",
        "--reason", "the CI role", "--author", "alice",
    )  # fmt: skip
    assert code == 0, output
    first = output.strip()
    assert first.startswith("sp-")
    code, output = run(data, "suppressions", "add", "noisy", "source_ip", "10.0.0.1", "--forever")
    assert code == 0, output
    second = output.strip()
    code, output = run(data, "suppressions", "list", "--format", "json")
    listed = {s["id"]: s for s in json.loads(output)}
    assert set(listed) == {first, second}
    assert (listed[first]["value"], listed[first]["created_by"]) == (BUILD, "alice")
    assert listed[second]["expires_at"] is None and listed[second]["active"]
    # What the command line stored is what the application (the API's too) lists.
    assert {s["id"] for s in Trailhound(data).list_suppressions()} == {first, second}
    code, output = run(data, "suppressions", "list")
    assert code == 0 and first in output and "never" in output
    code, output = run(data, "suppressions", "remove", first)
    assert code == 0, output
    code, output = run(data, "suppressions", "list", "--format", "json")
    assert [s["id"] for s in json.loads(output)] == [second]


def test_what_cannot_work_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, _ = run(data, "suppressions", "add", "noisy", "eventName", "x")
    assert code != 0
    code, _ = run(data, "suppressions", "add", "noisy", "principal", BUILD, "--days", "400")
    assert code != 0
    code, _ = run(data, "suppressions", "remove", "sp-000000000000")
    assert code != 0
    code, output = run(data, "suppressions", "list", "--format", "json")
    assert code == 0 and json.loads(output) == []
