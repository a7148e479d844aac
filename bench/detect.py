"""Benchmark: the built-in pack plus SigmaHQ's CloudTrail rules over synthetic events.

Runs every rule in one scan (the engine) and, as the naive baseline, each rule as its own full
scan, over the same in-memory table; prints events/s, rules/s and the ratio.

    python bench/detect.py [--events 1000000] [--threads 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from trailhound.detect.engine import load_rules, rule_predicates, run_rules
from trailhound.query.dialects import get_dialect
from trailhound.schema import ALL_COLUMNS
from trailhound.store.duckdb import DuckDBBackend

SHARED_SIGMA = Path(__file__).resolve().parents[1] / "../shared/data/sigma"
EVENT_NAMES = [
    ("s3", "GetObject"),
    ("s3", "PutObject"),
    ("ec2", "DescribeInstances"),
    ("sts", "AssumeRole"),
    ("iam", "ListUsers"),
    ("kms", "Decrypt"),
    ("lambda", "Invoke"),
    ("iam", "CreateAccessKey"),
    ("cloudtrail", "StopLogging"),
    ("signin", "ConsoleLogin"),
    ("ec2", "AuthorizeSecurityGroupIngress"),
    ("secretsmanager", "GetSecretValue"),
    ("ssm", "GetParameters"),
    ("s3", "PutBucketPolicy"),
    ("ec2", "RunInstances"),
]


def build_events(con: duckdb.DuckDBPyConnection, events: int) -> None:
    """A ``cloudtrail`` table of synthetic normalized events (all schema columns)."""
    names = ", ".join(f"({k}, '{s}.amazonaws.com', '{n}')" for k, (s, n) in enumerate(EVENT_NAMES))
    typed = {c.name: f"CAST(NULL AS {c.sql_type})" for c in ALL_COLUMNS}
    typed.update(
        {
            "event_id": "'ev-' || i",
            "event_time": "TIMESTAMPTZ '2026-08-01' + to_seconds(i % 2592000)",
            "event_source": "n.src",
            "event_name": "n.name",
            "aws_region": "'us-east-1'",
            "source_ip_address": "'198.51.100.' || (i % 250)",
            "user_agent": "CASE WHEN i % 1000 = 0 THEN 'TruffleHog' ELSE 'aws-cli/2.15' END",
            "error_code": "CASE WHEN i % 50 = 0 THEN 'AccessDenied' END",
            "user_type": "CASE WHEN i % 3 = 0 THEN 'AssumedRole' ELSE 'IAMUser' END",
            "user_arn": "'arn:aws:iam::111111111111:user/u' || (i % 500)",
            "user_account_id": "'111111111111'",
            "recipient_account_id": "'111111111111'",
            "actor": "'arn:aws:iam::111111111111:user/u' || (i % 500)",
            "event_type": "'AwsApiCall'",
            "request_parameters": '\'{"bucketName":"b\' || (i % 100) || \'","userName":"u\' || '
            '(i % 7) || \'","withDecryption":true}\'',
            "raw": "'{}'",
            "account": "'111111111111'",
            "date": "DATE '2026-08-01'",
        }
    )
    columns = ", ".join(f"{sql} AS {name}" for name, sql in typed.items())
    con.execute(
        f"CREATE TABLE cloudtrail AS SELECT {columns} FROM range({events}) AS r(i) "
        f"JOIN (SELECT * FROM (VALUES {names}) AS v(k, src, name)) AS n "
        f"ON n.k = i % {len(EVENT_NAMES)}"
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ruleset = load_rules([SHARED_SIGMA] if SHARED_SIGMA.is_dir() else [])
    rules = len(ruleset.rules) + len(ruleset.correlations)
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET TimeZone = 'UTC'")
    started = time.perf_counter()
    build_events(con, args.events)
    print(f"built {args.events:,} events in {time.perf_counter() - started:.1f} s; {rules} rules")
    placeholders = {"org_accounts": ["111111111111"]}
    started = time.perf_counter()
    matches = run_rules(DuckDBBackend(con), "cloudtrail", ruleset, placeholders)
    engine = time.perf_counter() - started
    started = time.perf_counter()
    naive_hits = 0
    duckdb_sql = get_dialect("duckdb")
    for predicate in rule_predicates(ruleset.rules, placeholders):
        sql = f"SELECT count(*) FROM cloudtrail WHERE {duckdb_sql.generate(predicate)}"
        naive_hits += int(con.execute(sql).fetchone()[0])  # type: ignore[index]
    naive = time.perf_counter() - started
    print(
        f"one scan : {engine:6.2f} s  {args.events / engine:12,.0f} events/s  "
        f"{rules / engine:8.1f} rules/s  ({len(matches):,} matches)"
    )
    print(
        f"naive    : {naive:6.2f} s  {args.events / naive:12,.0f} events/s  "
        f"{rules / naive:8.1f} rules/s  ({naive_hits:,} hits)"
    )
    print(f"ratio    : {naive / engine:.1f}x")


if __name__ == "__main__":
    main()
