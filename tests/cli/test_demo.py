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
