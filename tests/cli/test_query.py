"""``query``, ``sql`` and ``stats``: the contract later work relies on, run through Typer."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import run, runner
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
