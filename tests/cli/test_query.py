"""``query``, ``sql`` and ``stats``: the contract later work relies on, run through Typer."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import run, runner
from tests.conftest import make_record, write_log
from trailhound.cli import app


def test_query_json_contract(store: Path) -> None:
    code, output = run(
        store, "query", "dataset = cloudtrail | comp count() as n", "--format", "json"
    )
    assert code == 0 and orjson.loads(output) == [{"n": 8}]


def test_query_filters_by_cloudtrail_names(store: Path) -> None:
    code, output = run(
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
    code, output = run(
        store,
        "query",
        "dataset = cloudtrail | comp count() as n by eventName | sort n desc",
        "--format",
        "csv",
    )
    assert code == 0 and output.splitlines()[:2] == ["eventName,n", "ListUsers,7"]
    # Which row an unsorted limit keeps is up to the engine: ask for one that has the name.
    code, output = run(
        store, "query", 'dataset = cloudtrail | filter eventName = "ListUsers" | limit 1'
    )
    assert code == 0 and "ListUsers" in output


def test_query_error_points_at_the_field(store: Path) -> None:
    result = runner.invoke(
        app, ["--data-dir", str(store), "query", "dataset = cloudtrail | filter eventNme = 1"]
    )
    assert result.exit_code == 2
    assert "eventNme" in result.output and "^" in result.output and "eventName" in result.output


def test_query_since_covers_nothing_old(store: Path) -> None:
    code, output = run(
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
    code, output = run(
        store, "query", "dataset = cloudtrail | top 3 sourceIPAddress", "--dialect", "spark"
    )
    assert code == 0 and "SELECT" in output.upper()


def test_sql_is_read_only(store: Path) -> None:
    code, output = run(store, "sql", "SELECT count(*) AS n FROM cloudtrail", "--format", "json")
    assert code == 0 and orjson.loads(output) == [{"n": 8}]
    result = runner.invoke(app, ["--data-dir", str(store), "sql", "DROP VIEW cloudtrail"])
    assert result.exit_code == 2 and "read-only" in result.output


def test_stats(store: Path) -> None:
    code, output = run(store, "stats", "--format", "json")
    assert code == 0
    rows = orjson.loads(output)
    assert rows[0]["account"] == "111122223333" and rows[0]["events"] == 8


def test_a_query_table_shows_100_rows_and_says_how_many_there_are(tmp_path: Path) -> None:
    write_log(tmp_path / "logs", [make_record(i) for i in range(150)])
    store = tmp_path / "store"
    assert run(store, "ingest", str(tmp_path / "logs"))[0] == 0
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
