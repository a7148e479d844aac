"""``detect``, ``alerts``, ``rules`` and ``config`` as an analyst types them: closed choices in
any case, IDs shown whole, rules by name, settings checked when set."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from tests.conftest import make_record, write_log
from trailhound.cli import app

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    records = [
        make_record(
            1,
            eventName="StopLogging",
            eventSource="cloudtrail.amazonaws.com",
            requestParameters={"name": "main"},
            readOnly=False,
        ),
        make_record(2),
    ]
    write_log(tmp_path / "logs", records)
    result = _run(tmp_path / "store", "ingest", str(tmp_path / "logs"))
    assert result.exit_code == 0, result.output
    return tmp_path / "store"


def _run(store: Path, *args: str) -> Result:
    return runner.invoke(app, ["--data-dir", str(store), *args])


def test_alerts_list_takes_a_severity_in_any_case_and_shows_ids_whole(store: Path) -> None:
    alerts = orjson.loads(_run(store, "alerts", "list", "--format", "json").stdout)
    severity = alerts[0]["severity"]
    upper = _run(store, "alerts", "list", "--severity", severity.upper(), "-f", "JSON")
    assert upper.exit_code == 0 and orjson.loads(upper.stdout)
    assert {a["severity"] for a in orjson.loads(upper.stdout)} == {severity}
    table = _run(store, "alerts", "list")  # 80 columns in the runner
    for alert in alerts:
        assert alert["id"] in table.stdout and alert["account"] in table.stdout
    bogus = _run(store, "alerts", "list", "--severity", "urgent")
    assert bogus.exit_code == 2 and "'urgent' is not one of" in bogus.stderr


def test_a_missing_rules_folder_is_an_error(store: Path, tmp_path: Path) -> None:
    result = _run(store, "detect", "--rules", str(tmp_path / "nonexistent"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_rules_by_name_with_their_state_and_last_fire(store: Path) -> None:
    listed = orjson.loads(_run(store, "rules", "list", "--format", "json").stdout)["rules"]
    fired = [r for r in listed if r["last_fired"]]
    assert fired and all(r["enabled"] for r in listed)
    name = fired[0]["name"]
    assert name == Path(fired[0]["path"]).stem
    table = _run(store, "rules", "list").stdout
    assert name in table and "last fired" in table
    disabled = _run(store, "rules", "disable", name)
    assert disabled.exit_code == 0 and f"{name} ({fired[0]['id']}) disabled" in disabled.stdout
    again = orjson.loads(_run(store, "rules", "list", "--format", "json").stdout)["rules"]
    assert [r["enabled"] for r in again if r["name"] == name] == [False]
    assert _run(store, "rules", "enable", fired[0]["id"]).exit_code == 0  # the ID works too
    unknown = _run(store, "rules", "enable", "no_such_rule")
    assert unknown.exit_code == 2 and "no rule 'no_such_rule'" in unknown.stderr


def test_config_set_checks_every_key_and_list_get_unset(store: Path) -> None:
    bad = _run(store, "config", "set", "org-accounts", "11112222333")
    assert bad.exit_code == 2 and "not a 12-digit AWS account ID: 11112222333" in bad.stderr
    assert _run(store, "config", "set", "retro-hunt", "banana").exit_code == 2
    assert _run(store, "config", "set", "colour", "blue").exit_code == 2
    good = _run(store, "config", "set", "org-accounts", " 111122223333 ,444455556666")
    assert good.exit_code == 0 and "org-accounts = 111122223333,444455556666" in good.stdout
    listed = _run(store, "config", "list").stdout
    assert "org-accounts = 111122223333,444455556666" in listed
    assert "retro-hunt = (not set)" in listed and "state-version" not in listed
    assert _run(store, "config", "unset", "org-accounts").stdout.strip() == "org-accounts unset"
    assert _run(store, "config", "get", "org-accounts").stdout.strip() == ""
    assert "was not set" in _run(store, "config", "unset", "org-accounts").stdout
