"""``trailhound intel``: status, update, lookup, rebuild; a replaced list changes query answers."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from trailhound.cli import app

runner = CliRunner()
TOR_QUERY = "dataset = cloudtrail | filter src_is_tor = true | comp count() as n by sourceIPAddress"


def _run(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.stdout + (result.stderr or "")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    addresses = ["185.220.101.1", "185.220.101.1", "204.8.96.1", "8.8.8.8", "2a0b:f4c2::1"]
    write_log(
        tmp_path / "logs",
        [make_record(i, sourceIPAddress=a) for i, a in enumerate(addresses)],
    )
    code, output = _run(tmp_path / "store", "ingest", str(tmp_path / "logs"))
    assert code == 0, output
    return tmp_path / "store"


def _tor_counts(store: Path) -> dict[str, int]:
    code, output = _run(store, "query", TOR_QUERY, "--format", "json")
    assert code == 0, output
    return {row["sourceIPAddress"]: row["n"] for row in orjson.loads(output)}


def test_a_replaced_tor_list_changes_what_a_query_finds(store: Path, tmp_path: Path) -> None:
    assert _tor_counts(store) == {"185.220.101.1": 2}  # the shipped list
    new_list = tmp_path / "exits.txt"
    new_list.write_text("# today's exits\n204.8.96.1\n2a0b:f4c2::1\n")
    code, output = _run(store, "intel", "update", "--tor", str(new_list))
    assert code == 0, output
    assert "tor: version" in output and "2 entries" in output
    assert _tor_counts(store) == {"204.8.96.1": 1, "2a0b:f4c2::1": 1}
    code, output = _run(store, "intel", "update", "--reset", "tor")
    assert code == 0, output
    assert _tor_counts(store) == {"185.220.101.1": 2}


def test_replaced_shared_lists(store: Path, shared_data: Path) -> None:
    tor = shared_data / "intel" / "tor-exit-nodes_2024-02-27.lst"
    aws = shared_data / "intel" / "aws-ip-ranges_2026-08-22.json"
    code, output = _run(store, "intel", "update", "--tor", str(tor), "--aws-ranges", str(aws))
    assert code == 0, output
    assert "tor: version" in output and "1,746 entries" in output
    code, output = _run(store, "intel", "status", "--format", "json")
    assert code == 0, output
    status = orjson.loads(output)
    lists = {entry["list"]: entry for entry in status["lists"]}
    assert lists["tor"]["entries"] == 1746 and lists["tor"]["source"] == str(tor)
    assert lists["aws-ranges"]["list_date"] == "2026-08-22"
    assert lists["country"]["source"] == "shipped"
    assert status["enrichment"]["current"] is True
    assert {c["list"] for c in status["changes"]} == {"tor", "aws-ranges"}
    counts = _tor_counts(store)
    assert counts["185.220.101.1"] == 2 and "8.8.8.8" not in counts


def test_status_lookup_and_rebuild(store: Path) -> None:
    code, output = _run(store, "intel", "status")
    assert code == 0, output
    assert "shipped" in output and "Enrichment table: current" in output
    code, output = _run(
        store, "intel", "lookup", "8.8.8.8", "ec2.amazonaws.com", "--format", "json"
    )
    assert code == 0, output
    rows = orjson.loads(output)
    assert rows[0]["src_asn"] == 15169 and rows[1]["src_in_aws"] is True
    code, output = _run(store, "intel", "rebuild")
    assert code == 0 and "4 addresses" in output


def test_bad_input_is_refused(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1.2.3.4\nnot-an-address\n")
    code, output = _run(store, "intel", "update", "--tor", str(bad))
    assert code == 2 and "line 2" in output
    code, output = _run(store, "intel", "update", "--reset", "nonsense")
    assert code == 2 and "no intel list" in output
    code, output = _run(store, "intel", "update")
    assert code == 2
    assert _tor_counts(store) == {"185.220.101.1": 2}  # nothing changed


def test_the_retro_hunt_look_back_is_a_setting(store: Path) -> None:
    code, output = _run(store, "config", "set", "intel-retro-hunt", "3d")
    assert code == 0, output
    code, output = _run(store, "config", "get", "intel-retro-hunt")
    assert output.strip() == "3d"


def test_one_bad_file_changes_no_list(store: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("8.8.8.8\n")
    bad = tmp_path / "ranges.txt"
    bad.write_text("3.0.0.0/8\nnonsense\n")
    code, output = _run(store, "intel", "update", "--tor", str(good), "--aws-ranges", str(bad))
    assert code == 2 and "line 2" in output
    assert _tor_counts(store) == {"185.220.101.1": 2}
    code, output = _run(store, "intel", "status", "--format", "json")
    assert {e["source"] for e in orjson.loads(output)["lists"]} == {"shipped"}
