"""``demo-data``: runs the generator package when it is installed, says how to get it if not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from trailhound.cli import app


def test_demo_data_writes_the_data_set(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo-data", str(tmp_path / "logs"), "--events", "300"])
    assert result.exit_code == 0, result.output
    assert "Wrote 300 events" in result.stdout
    assert any((tmp_path / "logs").rglob("*.json.gz"))


def test_demo_data_over_a_month(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    result = CliRunner().invoke(app, ["demo-data", str(logs), "--events", "300", "--days", "34"])
    assert result.exit_code == 0, result.output
    days = sorted({p.parent.as_posix()[-10:] for p in logs.rglob("*_CloudTrail_*.json.gz")})
    assert days[0] <= "2026/11/02" and days[-1] >= "2026/12/04"  # delivered up to a day later
    refused = CliRunner().invoke(app, ["demo-data", str(tmp_path / "x"), "--days", "3"])
    assert refused.exit_code == 2 and "days must be from 7 to 56" in refused.output


def test_without_the_generator_it_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == "trailhound_demo"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "trailhound_demo", None)  # import raises ImportError
    result = CliRunner().invoke(app, ["demo-data", str(tmp_path / "logs")])
    assert result.exit_code == 2
    assert "trailhound_demo" in result.output and "not installed" in result.output
    assert "make demo" in result.output and "pip install -e ." in result.output
    assert not (tmp_path / "logs").exists()
