"""The AWS commands end to end through Typer, against moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tests.sources.conftest import Aws

pytestmark = pytest.mark.aws


def _app() -> typer.Typer:
    """The main app (the AWS commands are among its groups)."""
    from trailhound.cli import app

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
    result = runner.invoke(app, [*base, "--log-level", "info", "collect", "--once"])
    assert result.exit_code == 0, result.output
    assert "6 events written" in result.output
    assert "INFO trailhound.collect: collecting prod until the queues are empty" in result.stderr
    assert "INFO trailhound.collect: collection finished" in result.stderr
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
    from trailhound.store.integrations import IntegrationStore
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


def _setup(*args: str) -> Any:
    return CliRunner().invoke(_app(), ["setup", "aws", "--account", "111122223333", *args])


def test_setup_prints_the_deploy_command_and_a_teardown() -> None:
    result = _setup("--operator-account", "999988887777", "--name-prefix", "audit")
    assert result.exit_code == 0, result.output
    assert "aws cloudformation deploy --stack-name audit --template-file audit.json" in (
        result.stderr
    )
    assert "--capabilities CAPABILITY_NAMED_IAM" in result.stderr
    teardown = _setup("--name-prefix", "audit", "--teardown", "--format", "cli")
    assert teardown.exit_code == 0, teardown.output  # no operator needed to tear down
    assert "aws cloudtrail delete-trail --name audit" in teardown.stdout
    assert "aws iam delete-role --role-name audit-reader" in teardown.stdout
    assert "delete-bucket" not in teardown.stdout  # the logs stay unless --delete-logs
    stack = _setup("--teardown", "--format", "cloudformation", "--delete-logs")
    assert "aws cloudformation delete-stack --stack-name trailhound" in stack.stdout
    assert "aws s3api delete-bucket" in stack.stdout
    refused = _setup("--existing-bucket", "corp-trail", "--teardown", "--delete-logs")
    assert refused.exit_code == 2
    assert "corp-trail existed before and stays" in " ".join(refused.output.split())


def test_setup_validates_selectors_before_generating_anything() -> None:
    result = _setup(
        "--operator-account",
        "999988887777",
        "--network-activity-selector",
        "eventSource=sqs.amazonaws.com",
        "--format",
        "cli",
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'sqs.amazonaws.com' does not log network activity events" in result.stderr
    missing = _setup("--format", "cli")
    assert missing.exit_code == 2 and "--operator-account" in missing.stderr


def test_remove_says_what_stays_in_aws(aws: Aws, tmp_path: Path) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    url = "https://sqs.eu-west-1.amazonaws.com/111122223333/audit-cloudtrail"
    runner = CliRunner()
    added = runner.invoke(_app(), [*base, "integration", "add", "prod", "--queue-url", url])
    assert added.exit_code == 0, added.output
    result = runner.invoke(_app(), [*base, "integration", "remove", "prod"])
    assert result.exit_code == 0, result.output
    assert f"queue {url}" in result.stderr
    assert (
        "trailhound setup aws --account 111122223333 --region eu-west-1 --name-prefix audit "
        "--teardown --format cli"
    ) in result.stderr


def test_a_mistyped_profile_is_one_line_not_a_traceback(aws: Aws, tmp_path: Path) -> None:
    base = ["--data-dir", str(tmp_path / "data")]
    url = aws.bucket_to_queue()
    runner = CliRunner()
    assert (
        runner.invoke(_app(), [*base, "integration", "add", "p", "--queue-url", url]).exit_code == 0
    )
    result = runner.invoke(_app(), [*base, "integration", "test", "p", "--profile", "prdo"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert " ".join(result.stderr.split()).startswith(
        "error: AWS profile 'prdo' is not in ~/.aws/config or ~/.aws/credentials (profiles: "
    )
    empty = runner.invoke(_app(), [*base, "integration", "test", "p"])
    assert empty.exit_code == 0, empty.output
    assert "Connected, no log delivered yet" in empty.stdout


def test_update_changes_settings_and_list_all_shows_deleted(tmp_path: Path) -> None:
    from trailhound.data_dir import DataDir
    from trailhound.store.integrations import IntegrationStore
    from trailhound.store.state import StateDB

    app, runner = _app(), CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
    for name in ("prod", "old"):
        added = runner.invoke(app, [*base, "integration", "add", name, "--queue-url", queue])
        assert added.exit_code == 0, added.output
    result = runner.invoke(
        app,
        [
            *base,
            *("integration", "update", "prod", "--accounts", "111122223333,444455556666"),
            *("--state", "Paused", "--role-arn", "arn:aws:iam::111122223333:role/r"),
            *("--external-id", "-"),
        ],
        input="th-updated-secret-0003\n",
    )
    assert result.exit_code == 0, result.output
    assert "accounts = 111122223333,444455556666" in result.stdout
    assert "external_id = set (hidden)" in result.stdout and "th-updated" not in result.output
    stored = IntegrationStore(StateDB(DataDir(tmp_path / "data").state_db)).get("prod")
    assert stored.accounts == ("111122223333", "444455556666")
    assert stored.state.value == "paused" and stored.external_id == "th-updated-secret-0003"
    bad = runner.invoke(app, [*base, "integration", "update", "prod", "--accounts", "12345"])
    assert bad.exit_code == 2 and "not a 12-digit AWS account ID: 12345" in bad.stderr
    nothing = runner.invoke(app, [*base, "integration", "update", "prod"])
    assert nothing.exit_code == 2 and "nothing to change" in nothing.stderr
    assert runner.invoke(app, [*base, "integration", "remove", "old"]).exit_code == 0
    listed = runner.invoke(app, [*base, "integration", "list"]).stdout
    assert "prod" in listed and "old" not in listed
    everything = runner.invoke(app, [*base, "integration", "list", "--all"]).stdout
    assert "old" in everything and "deleted" in everything
