"""What the command-line tests share: a small store ingested through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from tests.sources.conftest import aws, moto_endpoint  # noqa: F401 (the moto fixtures, shared)
from trailhound.cli import app

runner = CliRunner()


def run(data_dir: Path, *args: str, stdin: bytes | None = None) -> tuple[int, str]:
    """``trailhound --data-dir DIR ARGS``: the exit code and standard output."""
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], input=stdin)
    return result.exit_code, result.stdout


@pytest.fixture
def store(tmp_path: Path) -> Path:
    write_log(tmp_path / "logs", [make_record(i) for i in range(7)])
    write_log(
        tmp_path / "logs",
        [make_record(7, eventName="CreateAccessKey", errorCode="AccessDenied")],
        name="b",
    )
    code, output = run(tmp_path / "store", "ingest", str(tmp_path / "logs"))
    assert code == 0, output
    assert "Ingested 8 events from 2 files" in output
    return tmp_path / "store"
