"""Fixtures for the query compiler: a real DuckDB holding a small hand-made set of events.

``pytest --update-golden`` rewrites the golden SQL files from the compiler's output.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import shutil
from collections.abc import Iterator
from typing import Any

import duckdb
import orjson
import pytest

from tests.query.demo_data import BAD_FILE, DEMO_EVENTS, DEMO_SEED, Demo, read_records
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.query import compile_query
from trailhound.schema import DATASET_COLUMNS, EVENT_COLUMNS, PROMOTED_COLUMNS, promoted_path
from trailhound.store.engine import QueryEngine
from trailhound_demo.generator import generate_demo

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
ALICE = "arn:aws:iam::111122223333:user/alice"
BOB = "arn:aws:iam::111122223333:user/bob"
CAROL = "arn:aws:sts::111122223333:assumed-role/Admin/carol"
DAVE = "arn:aws:iam::012345678901:user/dave"
ADMIN_ROLE = "arn:aws:iam::111122223333:role/Admin"

# (event_id, minutes ago, event name, service, region, source IP, caller ARN, extra columns)
_EVENTS: list[tuple[str, int, str, str, str, str, str | None, dict[str, Any]]] = [
    ("e01", 90, "ConsoleLogin", "signin", "us-east-1", "203.0.113.5", ALICE, {}),
    ("e02", 120, "ConsoleLogin", "signin", "us-east-1", "10.1.2.3", ALICE,
     {"error_code": "Failed authentication"}),
    ("e03", 180, "GetObject", "s3", "us-west-2", "10.20.30.40", BOB,
     {"read_only": True, "request_parameters": {"bucketName": "prod-data", "key": "a.txt"}}),
    ("e04", 300, "GetObject", "s3", "us-west-2", "192.168.1.10", BOB,
     {"read_only": True, "request_parameters": {"bucketName": "Prod-Data"}}),
    ("e05", 360, "PutObject", "s3", "us-west-2", "192.168.1.11", CAROL,
     {"request_parameters": {"bucketName": "logs_2024%"}, "session_issuer_arn": ADMIN_ROLE}),
    ("e06", 26 * 60, "DeleteBucket", "s3", "eu-west-1", "2001:db8::1", CAROL,
     {"request_parameters": {"bucketName": "old-bucket"}, "session_issuer_arn": ADMIN_ROLE}),
    ("e07", 30 * 60, "DeleteObject", "s3", "eu-west-1", "2001:db8:0:1::5", DAVE,
     {"recipient_account_id": "012345678901"}),
    ("e08", 2 * 1440, "CreateUser", "iam", "us-east-1", "198.51.100.7", None,
     {"user_type": "Root", "error_code": "AccessDenied"}),
    ("e09", 3 * 1440, "CreateAccessKey", "iam", "us-east-1", "198.51.100.7", ALICE, {}),
    ("e10", 4 * 1440, "AssumeRole", "sts", "us-east-1", "ec2.amazonaws.com", None,
     {"user_type": "AWSService"}),
    ("e11", 8 * 1440, "DescribeInstances", "ec2", "us-east-1", "10.0.0.1", BOB,
     {"read_only": True}),
    ("e12", 10 * 1440, "DescribeInstances", "ec2", "ap-south-1", "10.0.0.2", BOB,
     {"read_only": True}),
    ("e13", 20, "StopLogging", "cloudtrail", "us-east-1", "203.0.113.99", CAROL,
     {"session_issuer_arn": ADMIN_ROLE}),
    ("e14", 40, "GetCallerIdentity", "sts", "us-east-1", "172.16.5.4", ALICE,
     {"read_only": True, "user_agent": "aws-cli/2.15.0 Python/3.11"}),
    ("e15", 50, "ListBuckets", "s3", "us-east-1", "10.255.255.255", ALICE, {"read_only": True}),
    ("e16", 240, "GetObject", "s3", "us-west-2", "11.0.0.1", BOB,
     {"read_only": True, "request_parameters": {"bucketName": "prod-data"}}),
    ("e17", 420, "PutBucketPolicy", "s3", "us-west-2", "2001:db9::1", CAROL,
     {"session_issuer_arn": ADMIN_ROLE}),
    ("e18", 720, "DeleteTrail", "cloudtrail", "us-east-1", "999.1.1.1", DAVE,
     {"error_code": "TrailNotFoundException", "recipient_account_id": "012345678901"}),
    ("e19", 840, "ConsoleLogin", "signin", "eu-west-1", "10.0.0.256", ALICE, {}),
    ("e20", 900, "PutObject", "s3", "us-west-2", "192.168.200.1", BOB,
     {"request_parameters": {"bucketName": "logsx2024"}}),
]  # fmt: skip


def event_rows(now: datetime.datetime = NOW) -> list[dict[str, Any]]:
    """The test events as column → value dicts (NULL where not given), timed before ``now``."""
    rows = []
    for index, (event_id, minutes, name, service, region, ip, arn, extra) in enumerate(_EVENTS):
        when = now - datetime.timedelta(minutes=minutes)
        row: dict[str, Any] = {
            "event_id": event_id,
            "event_time": when,
            "event_name": name,
            "event_source": f"{service}.amazonaws.com",
            "aws_region": region,
            "source_ip_address": ip,
            "user_arn": arn,
            "user_type": "IAMUser",
            "user_agent": "console.amazonaws.com",
            "read_only": False,
            "recipient_account_id": "111122223333",
            "source_index": index,
            "date": when.date(),
        }
        row.update(extra)
        for column in PROMOTED_COLUMNS:  # filled from the JSON part, as ingest does
            part, path = promoted_path(column)
            inside = row.get(part)
            value = inside.get(path[2:]) if isinstance(inside, dict) else None
            if value is not None:
                row[column.name] = value if isinstance(value, str) else orjson.dumps(value).decode()
        if isinstance(row.get("request_parameters"), dict):
            row["request_parameters"] = orjson.dumps(row["request_parameters"]).decode()
        row["is_error"] = row.get("error_code") is not None
        row["account"] = row["recipient_account_id"]
        rows.append(row)
    return rows


def _create_cloudtrail(con: duckdb.DuckDBPyConnection, now: datetime.datetime = NOW) -> None:
    # The dataset's columns: the stored ones and the src_* intel fields the view joins.
    columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in DATASET_COLUMNS)
    con.execute(f"CREATE TABLE cloudtrail ({columns})")
    names = [c.name for c in DATASET_COLUMNS]
    placeholders = ", ".join("?" for _ in names)
    con.executemany(
        f"INSERT INTO cloudtrail VALUES ({placeholders})",
        [[row.get(n) for n in names] for row in event_rows(now)],
    )
    ocsf = ", ".join(f'"{c.name}" AS "{c.ocsf}"' for c in EVENT_COLUMNS if c.ocsf)
    con.execute(
        f"CREATE VIEW cloud_audit_logs AS SELECT {ocsf}, 'AWS' AS cloud_provider, "
        "CASE WHEN is_error THEN 'Failure' ELSE 'Success' END AS status, "
        "'CloudTrail' AS metadata_product_name FROM cloudtrail"
    )


def _create_state(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE quarantine (run_id VARCHAR, source VARCHAR, position BIGINT, "
        "reason VARCHAR, excerpt VARCHAR, quarantined_at TIMESTAMPTZ)"
    )
    con.executemany(
        "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("r1", "a.json.gz", 0, "not JSON", "{{{", NOW - datetime.timedelta(hours=1)),
            ("r1", "a.json.gz", 7, "no eventTime", "{}", NOW - datetime.timedelta(hours=1)),
            ("r2", "b.json", 3, "not JSON", "xx", NOW - datetime.timedelta(days=9)),
        ],
    )
    con.execute(
        "CREATE TABLE alerts (id VARCHAR, rule_id VARCHAR, title VARCHAR, severity VARCHAR, "
        "source VARCHAR, status VARCHAR, tactics VARCHAR[], techniques VARCHAR[], actor VARCHAR, "
        "account VARCHAR, region VARCHAR, source_ips VARCHAR[], first_seen TIMESTAMPTZ, "
        "last_seen TIMESTAMPTZ, count BIGINT, event_ids VARCHAR[], created_at TIMESTAMPTZ, "
        "updated_at TIMESTAMPTZ)"
    )
    alerts = [
        ("a1", "stop-logging", "CloudTrail stopped", "high", "rule", "open", 1),
        ("a2", "root-usage", "Root used", "critical", "rule", "open", 3),
        ("a3", "console-fail", "Console login failures", "medium", "rule", "closed", 5),
        ("a4", "stop-logging", "CloudTrail stopped", "high", "rule", "open", 2),
    ]
    for alert_id, rule, title, severity, source, status, count in alerts:
        seen = NOW - datetime.timedelta(hours=count)
        con.execute(
            "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ['defense-evasion'], ['T1562'], "
            "?, '111122223333', 'us-east-1', ['10.0.0.1'], ?, ?, ?, ['e13'], ?, ?)",
            [alert_id, rule, title, severity, source, status, CAROL, seen, seen, count, seen, seen],
        )
    # The queryable columns alerts gained with the principal-based grouping and the analytics'
    # explanations (tables.ALERTS).
    for column, kind in (("principal", "VARCHAR"), ("sessions", "VARCHAR[]"),
                         ("resources", "VARCHAR[]"), ("group_fields", "VARCHAR[]"),
                         ("group_values", "VARCHAR[]"), ("explanation", "VARCHAR")):  # fmt: skip
        con.execute(f"ALTER TABLE alerts ADD COLUMN {column} {kind}")
    con.execute("UPDATE alerts SET principal = actor")


@pytest.fixture(scope="session")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with ``cloudtrail``, ``cloud_audit_logs``, ``quarantine``, ``alerts``."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    _create_cloudtrail(connection)
    _create_state(connection)
    yield connection
    connection.close()


@pytest.fixture
def fresh_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """Like ``con``, with the events timed before this very moment: for queries that use now()
    (the session's ``con`` was built minutes earlier on a loaded machine)."""
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    _create_cloudtrail(connection, datetime.datetime.now(datetime.UTC))
    _create_state(connection)
    yield connection
    connection.close()


def run(
    con: duckdb.DuckDBPyConnection, query: str, **kwargs: Any
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Compile and execute a pipe query; returns the column names and the rows."""
    sql = compile_query(query, **kwargs).sql()
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description or []], cursor.fetchall()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo generator's data (plus one bad record), ingested into a fresh data directory.

    Under xdist the workers of one run share the work: the first to get the lock builds it, each
    then queries a copy of its own (DuckDB lets one process write a state database at a time).
    """
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "query-demo"
    root.mkdir(exist_ok=True)
    logs, built = root / "logs", root / "store"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "ready").exists():
            generate_demo(logs, events=DEMO_EVENTS, seed=DEMO_SEED)
            (logs / BAD_FILE).write_bytes(b'{"Records": [{"eventName": "NoTime"}]}')
            with Ingestor(DataDir(built).ensure()) as ingestor:
                ingestor.ingest_paths([logs])
            (root / "ready").touch()
    data_dir = DataDir(base / "demo-store")
    shutil.copytree(built, data_dir.root)
    engine = QueryEngine(data_dir)
    yield Demo(data_dir, read_records(logs), engine)
    engine.close()
