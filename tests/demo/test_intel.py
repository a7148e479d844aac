"""The demo's intel: its Tor story's exits are Tor exits once the demo's list is installed."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from trailhound.cli import app
from trailhound_demo import TOR_EXIT_ADDRESSES

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + (result.stderr or "")
    return result.stdout


def test_demo_tor_story_reads_as_tor_with_the_demo_list(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    tor_list = tmp_path / "tor-exits.txt"
    logs = str(tmp_path / "logs")
    _run("demo-data", logs, "--events", "3000", "--seed", "3", "--tor-list", str(tor_list))
    _run("--data-dir", store, "ingest", "--no-detect", str(tmp_path / "logs"))
    query = (
        "dataset = cloudtrail | filter src_is_tor = true "
        "| comp count() as n by sourceIPAddress, src_country"
    )
    shipped = {
        r["sourceIPAddress"]
        for r in orjson.loads(_run("--data-dir", store, "query", query, "--format", "json"))
    }
    # exits come and go: the shipped list need not name every exit the story was written with
    assert shipped <= set(TOR_EXIT_ADDRESSES)
    _run("--data-dir", store, "intel", "update", "--tor", str(tor_list))
    rows = orjson.loads(_run("--data-dir", store, "query", query, "--format", "json"))
    assert {r["sourceIPAddress"] for r in rows} == set(TOR_EXIT_ADDRESSES)
    assert all(r["src_country"] for r in rows)
    # the demo's list keeps the shipped exits too
    listed = tor_list.read_text()
    assert "185.220.101.1" in listed and listed.count("\n") > 1000
    everyone = orjson.loads(
        _run(
            "--data-dir",
            store,
            "query",
            "dataset = cloudtrail | comp count() as n by src_in_aws",
            "--format",
            "json",
        )
    )
    assert {r["src_in_aws"] for r in everyone} >= {True, False}
