"""Golden files: rules in, SQL out, for every dialect a backend may run them in.

``golden/pack/<rule>.<dialect>.sql`` and ``golden/sigmahq/<rule>.<dialect>.sql`` hold a sample of
the built-in pack's and SigmaHQ's CloudTrail rules, each as the SELECT of the events it matches;
``golden/one_scan.<dialect>.sql`` is the whole pack's one-scan match query. Refresh them after an
intended change with ``pytest tests/detect --update-golden`` (which fails the run) and review the
diff. The DuckDB SQL of each golden file also runs, over the pack's test events, and selects
exactly what the plain-Python reference does; the Spark and Trino SQL parses back.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sqlglot
from detect_support import ACCOUNT, RulePackRun
from reference import evaluate_rule, parsed_once
from sqlglot import exp
from tests.conftest import assert_golden

from trailhound.detect.base import DetectionRule, RuleSet
from trailhound.detect.engine import load_rules, one_scan_query, rule_predicates
from trailhound.query.dialects import get_dialect
from trailhound.store.duckdb import DuckDBBackend

GOLDEN = Path(__file__).parent / "golden"
DIALECTS = ("duckdb", "spark", "trino")
PLACEHOLDERS = {"org_accounts": [ACCOUNT]}  # as the pack's run fills them
# Chosen to cover what rules compile to: regular expressions (with flags), JSON paths, LIKE,
# substring, prefix and suffix matches, negations, placeholders and SigmaHQ's virtual fields.
PACK_SAMPLE = (
    "assume_role_admin",
    "console_login_without_mfa",
    "credential_scanner_user_agent",
    "inline_policy_wildcard",
    "instance_credentials_used_outside",
    "lambda_public_permission",
    "resource_policy_public",
    "s3_bucket_policy_public",
    "ssm_parameter_decrypted",
    "unauthorized_write",
    "vpce_external_credentials",
)
SIGMAHQ_SAMPLE = (
    "aws_cloudtrail_console_login_success_without_mfa",
    "aws_cloudtrail_imds_malicious_usage",
    "aws_cloudtrail_security_group_change_ingress_egress",
    "aws_console_getsignintoken",
    "aws_delete_saml_provider",
    "aws_ec2_vm_export_failure",
    "aws_ecs_task_definition_cred_endpoint_query",
    "aws_iam_s3browser_templated_s3_bucket_policy_creation",
    "aws_new_lambda_layer_attached",
    "aws_rds_change_master_password",
    "aws_sts_getcalleridentity_trufflehog",
)


def _by_stem(ruleset: RuleSet, stems: tuple[str, ...]) -> list[DetectionRule]:
    found = {Path(r.path).stem: r for r in ruleset.rules}
    missing = [s for s in stems if s not in found]
    assert not missing, f"sample rules not found: {missing}"
    return [found[s] for s in stems]


def _selection(rule: DetectionRule) -> exp.Select:
    """The events a rule matches, as one SELECT."""
    [predicate] = rule_predicates([rule], PLACEHOLDERS)
    return exp.select("event_id").from_("cloudtrail").where(predicate)


def _check_rules(rules: list[DetectionRule], folder: Path, run: RulePackRun, update: bool) -> None:
    expected: dict[Path, str] = {}
    for rule in rules:
        query = _selection(rule)
        for dialect in DIALECTS:
            text = get_dialect(dialect).generate(query, pretty=True) + "\n"
            expected[folder / f"{Path(rule.path).stem}.{dialect}.sql"] = text
    assert_golden(expected, update)
    with DuckDBBackend.open(run.data_dir) as backend:
        for rule in rules:
            stem = Path(rule.path).stem
            # The golden file itself runs: what is reviewed is what is checked.
            sql = (folder / f"{stem}.duckdb.sql").read_text()
            selected = {str(e) for (e,) in backend.execute(sql).rows}
            source = parsed_once(rule.source)
            wanted = {
                str(r["eventID"]) for r in run.records if evaluate_rule(source, r, PLACEHOLDERS)
            }
            assert selected == wanted, stem
            for dialect in ("spark", "trino"):
                sqlglot.parse_one((folder / f"{stem}.{dialect}.sql").read_text(), read=dialect)


def test_pack_sample(rule_pack_run: RulePackRun, update_golden: bool) -> None:
    rules = _by_stem(rule_pack_run.ruleset, PACK_SAMPLE)
    assert any(r.recompile is not None for r in rules), "a rule with placeholders"
    _check_rules(rules, GOLDEN / "pack", rule_pack_run, update_golden)


@pytest.mark.shared
def test_sigmahq_sample(shared_data: Path, rule_pack_run: RulePackRun, update_golden: bool) -> None:
    ruleset = load_rules([shared_data / "sigma"], builtin=False, keep_source=True)
    _check_rules(
        _by_stem(ruleset, SIGMAHQ_SAMPLE), GOLDEN / "sigmahq", rule_pack_run, update_golden
    )


def test_one_scan_query(rule_pack_run: RulePackRun, update_golden: bool) -> None:
    """The pack's whole match query, as a hunt runs it; DuckDB's finds what the engine does."""
    every = RuleSet(
        rules=[replace(r, generate=True) for r in rule_pack_run.ruleset.rules],
        correlations=list(rule_pack_run.ruleset.correlations),
    )
    query = one_scan_query(every, "cloudtrail", PLACEHOLDERS)
    assert query is not None
    rendered = {d: get_dialect(d).generate(query, pretty=True) + "\n" for d in ("duckdb", "spark")}
    assert_golden({GOLDEN / f"one_scan.{d}.sql": t for d, t in rendered.items()}, update_golden)
    spark = (GOLDEN / "one_scan.spark.sql").read_text()
    assert "MATERIALIZED" not in spark and "json_extract_string" not in spark.lower()
    sqlglot.parse_one(spark, read="spark")
    with DuckDBBackend.open(rule_pack_run.data_dir) as backend:
        result = backend.execute((GOLDEN / "one_scan.duckdb.sql").read_text())
    hits = result.columns.index("hits")
    fired: dict[str, set[str]] = {}
    for row in result.rows:
        for index in row[hits]:
            fired.setdefault(str(row[0]), set()).add(every.rules[index].id)
    pack = {event: ids & {r.id for r in every.rules} for event, ids in rule_pack_run.fired.items()}
    assert fired == {e: ids for e, ids in pack.items() if ids}
