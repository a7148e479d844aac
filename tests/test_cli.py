"""The CLI contract later work relies on, run in-process through Typer's runner."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.conftest import make_record, write_log
from trailhound.cli import app
from trailhound.data_dir import DataDir

runner = CliRunner()


def _run(data_dir: Path, *args: str, stdin: bytes | None = None) -> tuple[int, str]:
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
    code, output = _run(tmp_path / "store", "ingest", str(tmp_path / "logs"))
    assert code == 0, output
    assert "Ingested 8 events from 2 files" in output
    return tmp_path / "store"


def test_query_json_contract(store: Path) -> None:
    code, output = _run(
        store, "query", "dataset = cloudtrail | comp count() as n", "--format", "json"
    )
    assert code == 0 and orjson.loads(output) == [{"n": 8}]


def test_query_filters_by_cloudtrail_names(store: Path) -> None:
    code, output = _run(
        store,
        "query",
        'dataset = cloudtrail | filter EventName = "createaccesskey"'
        " | fields eventName, errorCode, userIdentity.arn",
        "--format",
        "json",
    )
    assert code == 0
    assert orjson.loads(output) == [
        {
            "eventName": "CreateAccessKey",
            "errorCode": "AccessDenied",
            "userIdentity.arn": "arn:aws:iam::111122223333:user/alice",
        }
    ]


def test_query_csv_and_table(store: Path) -> None:
    code, output = _run(
        store,
        "query",
        "dataset = cloudtrail | comp count() as n by eventName | sort n desc",
        "--format",
        "csv",
    )
    assert code == 0 and output.splitlines()[:2] == ["eventName,n", "ListUsers,7"]
    code, output = _run(store, "query", "dataset = cloudtrail | limit 1")
    assert code == 0 and "ListUsers" in output


def test_query_error_points_at_the_field(store: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(store), "query", "dataset = cloudtrail | filter eventNme = 1"]
    )
    assert result.exit_code == 2
    assert "eventNme" in result.output and "^" in result.output and "eventName" in result.output


def test_query_since_covers_nothing_old(store: Path) -> None:
    code, output = _run(
        store,
        "query",
        "dataset = cloudtrail | comp count() as n",
        "--since",
        "1h",
        "--format",
        "json",
    )
    assert code == 0 and orjson.loads(output) == [{"n": 0}]  # the test events are from 2026-11-0x


def test_dialects(store: Path) -> None:
    code, output = _run(
        store, "query", "dataset = cloudtrail | top 3 sourceIPAddress", "--dialect", "spark"
    )
    assert code == 0 and "SELECT" in output.upper()


def test_sql_is_read_only(store: Path) -> None:
    code, output = _run(store, "sql", "SELECT count(*) AS n FROM cloudtrail", "--format", "json")
    assert code == 0 and orjson.loads(output) == [{"n": 8}]
    result = runner.invoke(app, ["--data-dir", str(store), "sql", "DROP VIEW cloudtrail"])
    assert result.exit_code == 2 and "read-only" in result.output


def test_stdin_and_strict(tmp_path: Path) -> None:
    body = orjson.dumps({"Records": [make_record(1), make_record(2, eventTime=None)]})
    code, output = _run(tmp_path / "s", "ingest", "-", stdin=body)
    assert code == 0 and "Ingested 1 events" in output and "1 quarantined" in output
    code, _ = _run(tmp_path / "s2", "ingest", "--strict", "-", stdin=body)
    assert code == 1
    code, output = _run(
        tmp_path / "s", "query", "dataset = quarantine | fields reason", "--format", "json"
    )
    assert code == 0 and orjson.loads(output) == [{"reason": "missing eventTime"}]


def test_stats(store: Path) -> None:
    code, output = _run(store, "stats", "--format", "json")
    assert code == 0
    rows = orjson.loads(output)
    assert rows[0]["account"] == "111122223333" and rows[0]["events"] == 8


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), "ingest", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_ingest_alerts_equal_a_hunt(tmp_path: Path) -> None:
    records = [
        make_record(
            1,
            eventName="StopLogging",
            eventSource="cloudtrail.amazonaws.com",
            requestParameters={"name": "main"},
            readOnly=False,
        ),
        make_record(
            2,
            eventName="DeleteTrail",
            eventSource="cloudtrail.amazonaws.com",
            requestParameters={"name": "main"},
            readOnly=False,
        ),
        make_record(3),
    ]
    write_log(tmp_path / "logs", records)
    store = tmp_path / "store"
    assert _run(store, "ingest", str(tmp_path / "logs"))[0] == 0
    code, listed = _run(store, "alerts", "list", "--format", "json")
    assert code == 0
    stored = {a["id"] for a in orjson.loads(listed)}
    assert stored and all(a["source"] == "rule" for a in orjson.loads(listed))
    code, hunted = _run(store, "detect", "--since", "all", "--format", "json")
    assert code == 0 and {a["id"] for a in orjson.loads(hunted)} == stored
    code, again = _run(store, "alerts", "list", "--format", "json")
    assert {a["id"] for a in orjson.loads(again)} == stored  # the hunt stored nothing twice


CLI = [sys.executable, "-m", "trailhound"]


def test_the_data_directory_is_private_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(3)])
    store = tmp_path / "store"
    monkeypatch.setenv("TRAILHOUND_EXTERNAL_ID", "th-0f3c9a7e51d2b8a4")
    queue = "https://sqs.us-east-1.amazonaws.com/111122223333/q"
    previous = os.umask(0o022)  # a typical login shell's; the command line sets its own
    try:
        for args in (
            ["ingest", "--no-detect", str(tmp_path / "logs")],
            ["integration", "add", "prod", "--queue-url", queue, "--role-arn",
             "arn:aws:iam::111122223333:role/r"],
        ):  # fmt: skip
            code, output = _run(store, *args)
            assert code == 0, output
    finally:
        os.umask(previous)
    found = [store, *store.rglob("*")]
    assert any(p.name == "secrets.json" for p in found)
    assert any(p.suffix == ".parquet" for p in found)
    loose = [
        f"{p.relative_to(tmp_path)} {p.stat().st_mode & 0o777:o}"
        for p in found
        if p.stat().st_mode & 0o077
    ]
    assert loose == []
    assert {p.stat().st_mode & 0o777 for p in found if p.is_dir()} == {0o700}
    assert b"th-0f3c9a7e51d2b8a4" not in (store / "state.duckdb").read_bytes()


HOLD_LOCK = (
    "import sys; from pathlib import Path; from trailhound.store.lock import WriteLock\n"
    "with WriteLock(Path(sys.argv[1])).hold():\n"
    "    print('held', flush=True); sys.stdin.read()\n"
)


def test_a_writer_says_whom_it_waits_for(tmp_path: Path) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(3)])
    data_dir = DataDir(tmp_path / "store").ensure()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir.write_lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    ingest = subprocess.Popen(
        [*CLI, "--data-dir", str(data_dir.root), "ingest", "--no-detect", str(tmp_path / "logs")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    assert ingest.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(ingest.stderr or []), daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while not any("waiting for" in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ingest.poll() is None  # blocked, not failed
    assert holder.stdin is not None
    holder.stdin.close()  # release
    holder.wait(timeout=10)
    stdout, _ = ingest.communicate(timeout=60)
    reader.join(timeout=10)
    assert ingest.returncode == 0 and "Ingested 3 events" in stdout
    waiting = [line for line in lines if "waiting for" in line]
    assert waiting == [
        f"waiting for another trailhound process (pid {holder.pid}) to finish writing…\n"
    ]


def test_a_query_table_shows_100_rows_and_says_how_many_there_are(tmp_path: Path) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(150)])
    store = tmp_path / "store"
    assert _run(store, "ingest", str(tmp_path / "logs"))[0] == 0
    asked = ["--data-dir", str(store), "query"]
    table = runner.invoke(app, [*asked, "dataset = cloudtrail | fields eventID, eventName"])
    assert table.exit_code == 0, table.output
    assert "100 rows" in table.stderr and "showing 100 of 150 rows" in table.stderr
    assert table.stdout.count("ListUsers") == 100
    everything = runner.invoke(
        app, [*asked, "dataset = cloudtrail | fields eventID", "--format", "JSON"]
    )
    assert everything.exit_code == 0 and len(orjson.loads(everything.stdout)) == 150
    limited = runner.invoke(app, [*asked, "dataset = cloudtrail | fields eventID | limit 120"])
    assert "120 rows" in limited.stderr and "showing" not in limited.stderr
    cards = runner.invoke(app, [*asked, "dataset = cloudtrail | limit 1"])  # every column
    assert "account" in cards.stdout.split() and "raw" not in cards.stdout.split()
    named = runner.invoke(app, [*asked, "dataset = cloudtrail | fields eventID, raw | limit 1"])
    assert "raw" in named.stdout.split()
    yaml = runner.invoke(app, [*asked, "dataset = cloudtrail", "--format", "yaml"])
    assert yaml.exit_code == 2 and "'yaml' is not one of" in yaml.stderr
    trino = runner.invoke(app, [*asked, "dataset = cloudtrail | limit 1", "--dialect", "TRINO"])
    assert trino.exit_code == 0 and "LIMIT 1" in trino.stdout
