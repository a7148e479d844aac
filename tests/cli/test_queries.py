"""The command line of the query language: ``query --explain|--param``, saving results with
``| target``, and ``queries save|list|show|run|delete``."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record
from trailhound.cli import app
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor

runner = CliRunner()


def trailhound(store: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(store), *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "store"
    records = [
        make_record(0, eventName="ConsoleLogin", additionalEventData={"MFAUsed": "No"},
                    responseElements={"ConsoleLogin": "Success"}),
        make_record(1, eventName="CreateAccessKey"),
        make_record(2, eventName="CreateAccessKey", sourceIPAddress="10.1.2.3"),
    ]  # fmt: skip
    with Ingestor(DataDir(root).ensure()) as ingestor:
        ingestor.ingest_bytes(orjson.dumps({"Records": records}), "cli")
    return root


@pytest.fixture
def store(ingested: Path, tmp_path: Path) -> Path:
    shutil.copytree(ingested, tmp_path / "store")
    return tmp_path / "store"


def test_query_with_parameters_and_explain(store: Path) -> None:
    code, output = trailhound(
        store, "query", "filter eventName = $name | comp count() as n", "--param", "name=Create*",
        "--format", "json",
    )  # fmt: skip
    assert code == 0 and orjson.loads(output) == [{"n": 2}]
    code, output = trailhound(store, "query", "limit 1", "--explain", "--since", "3650d")
    assert code == 0
    assert output.startswith("-- duckdb\nSELECT") and "cloudtrail (last 3650d): 3 of 3" in output
    assert "date=2026-11-02/account=111122223333" in output
    code, output = trailhound(store, "query", "limit 1", "--explain", "--dialect", "trino")
    assert code == 0 and output.startswith("-- trino\n") and "(no time range): 3 of 3" in output
    code, output = trailhound(store, "query", "filter eventName = $name")
    assert code == 2 and "no value for parameter $name" in output and "^" in output
    code, output = trailhound(store, "query", "limit 1", "--param", "oops")
    assert code == 2 and "name=value" in output


def test_target_saves_rows_and_views(store: Path) -> None:
    code, output = trailhound(
        store, "query", "fields eventName, sourceIPAddress | target type = dataset calls"
    )
    assert code == 0 and "Saved 3 rows to dataset calls." in output
    code, output = trailhound(
        store, "query", 'filter eventName = "CreateAccessKey" | target type = view keys'
    )
    assert code == 0 and "Saved view keys" in output
    code, output = trailhound(
        store, "query", 'dataset = calls | join (dataset = keys | fields sourceIPAddress as ip) '
        "as k sourceIPAddress = k.ip | comp count() as n", "--format", "json",
    )  # fmt: skip
    assert code == 0 and orjson.loads(output) == [{"n": 3}]  # every call came from a key's IP
    code, output = trailhound(store, "query", "limit 1 | target type = dataset quarantine")
    assert code == 2 and "cannot be replaced" in output


def test_queries_save_list_show_run_delete(store: Path) -> None:
    code, output = trailhound(
        store, "queries", "save", "by-name", 'filter eventName = $name | limit $n',
        "--param", "name", "--param", "n=5", "--description", "Calls of one API.",
    )  # fmt: skip
    assert code == 0 and "Saved query by-name" in output
    code, output = trailhound(store, "queries", "list", "--format", "json")
    listed = {q["name"]: q for q in orjson.loads(output)}
    assert code == 0 and listed["by-name"] == {
        "name": "by-name", "kind": "saved", "params": "name, n=5",
        "description": "Calls of one API.",
    }  # fmt: skip
    assert listed["console-login-without-mfa"]["kind"] == "built-in" and len(listed) == 11
    code, output = trailhound(store, "queries", "show", "by-name")
    assert code == 0 and output.splitlines() == [
        "# by-name", "# Calls of one API.", "# --param name (required)", "# --param n=5",
        "filter eventName = $name | limit $n",
    ]  # fmt: skip
    code, output = trailhound(
        store, "queries", "run", "by-name", "-p", "name=CreateAccessKey", "-p", "n=1", "-f", "csv"
    )
    assert code == 0 and len(output.splitlines()) == 2
    code, output = trailhound(store, "queries", "run", "by-name")
    assert code == 2 and "needs --param name" in output
    code, output = trailhound(store, "queries", "delete", "by-name")
    assert code == 0 and "Deleted query by-name." in output
    code, output = trailhound(store, "queries", "show", "by-name")
    assert code == 2 and "no saved query" in output


def test_a_built_in_hunt_runs_from_the_command_line(store: Path) -> None:
    code, output = trailhound(store, "queries", "run", "console-login-without-mfa", "-f", "json")
    assert code == 0
    (login,) = orjson.loads(output)
    assert login["userIdentity.arn"] == "arn:aws:iam::111122223333:user/alice"
    code, output = trailhound(store, "queries", "show", "first-api-use")
    assert code == 0 and "# first-api-use (built-in)" in output and "$window" in output
    code, output = trailhound(store, "queries", "delete", "first-api-use")
    assert code == 2 and "cannot be deleted" in output
    code, output = trailhound(store, "queries", "save", "x", "limit $n")
    assert code == 2 and "declare --param n=DEFAULT" in output
