"""The AWS commands end to end through Typer, against moto."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.sources.conftest import Aws
from trailhound.cli_aws import collect, integration_app, setup_app

pytestmark = pytest.mark.aws


@functools.cache
def _app() -> typer.Typer:
    """The main app with the AWS commands, registered as cli.py will once the lead adds them."""
    from trailhound.cli import app

    if any(group.name == "integration" for group in app.registered_groups):
        return app
    app.add_typer(integration_app, name="integration")
    app.add_typer(setup_app, name="setup")
    app.command()(collect)
    return app


def test_add_test_collect_and_pause(aws: Aws, tmp_path: Path) -> None:
    url = aws.bucket_to_queue()
    aws.put_logs("trail-bucket", count=2, per_object=3)
    app, runner = _app(), CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(app, [*base, "integration", "add", "prod", "--queue-url", url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*base, "integration", "test", "prod"])
    assert result.exit_code == 0, result.output
    assert "Connection established" in result.output
    result = runner.invoke(app, [*base, "collect", "--once"])
    assert result.exit_code == 0, result.output
    assert "6 events written" in result.output
    assert runner.invoke(app, [*base, "integration", "pause", "prod"]).exit_code == 0
    assert runner.invoke(app, [*base, "integration", "list"]).exit_code == 0
    shown = runner.invoke(app, [*base, "integration", "show", "prod"]).output
    assert "paused" in shown and "events_ingested    6" in shown
    missing = runner.invoke(app, [*base, "integration", "show", "nope"])
    assert missing.exit_code == 2


def test_setup_never_prints_the_external_id_into_the_template() -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "setup",
            "aws",
            "--account",
            "111122223333",
            "--operator-account",
            "999988887777",
            "--external-id",
            "th-0123456789abcdef0123",
        ],
    )
    assert result.exit_code == 0, result.output
    assert '"sts:ExternalId": {\n' in result.stdout
    assert "th-0123456789abcdef0123" not in result.stdout


def test_the_external_id_comes_from_the_environment_or_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trailhound.data_dir import DataDir
    from trailhound.sources.integrations import IntegrationStore
    from trailhound.store.state import StateDB

    app, runner = _app(), CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    queue = ["--queue-url", "https://sqs.us-east-1.amazonaws.com/111122223333/q"]
    role = ["--role-arn", "arn:aws:iam::111122223333:role/trailhound-reader"]
    monkeypatch.setenv("TRAILHOUND_EXTERNAL_ID", "th-from-the-environment-0001")
    result = runner.invoke(app, [*base, "integration", "add", "env", *queue, *role])
    assert result.exit_code == 0, result.output
    monkeypatch.delenv("TRAILHOUND_EXTERNAL_ID")
    result = runner.invoke(
        app,
        [*base, "integration", "add", "piped", *queue, *role, "--external-id", "-"],
        input="th-from-standard-input-0002\n",
    )
    assert result.exit_code == 0, result.output
    assert "th-from" not in result.output
    store = IntegrationStore(StateDB(DataDir(tmp_path / "data").state_db))
    assert store.get("env").external_id == "th-from-the-environment-0001"
    assert store.get("piped").external_id == "th-from-standard-input-0002"
    shown = runner.invoke(app, [*base, "integration", "show", "piped"]).output
    assert "set (hidden)" in shown and "th-from" not in shown
