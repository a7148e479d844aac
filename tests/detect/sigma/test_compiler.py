"""A Sigma detection in, the DuckDB SQL out, for every value modifier."""

from __future__ import annotations

import textwrap

import pytest
from sigma.collection import SigmaCollection

from trailhound.detect.sigma.compiler import compile_sigma_rule
from trailhound.query.dialects import get_dialect


def compile_detection(detection: str, placeholders: dict[str, list[str]] | None = None) -> str:
    """The SQL of a rule holding ``detection`` (YAML, indented under ``detection:``)."""
    text = (
        "title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n"
        + textwrap.indent(textwrap.dedent(detection).strip(), "  ")
        + "\n"
    )
    rule = SigmaCollection.from_yaml(text).rules[0]
    return get_dialect("duckdb").generate(compile_sigma_rule(rule, placeholders))


GOLDEN = {
    "plain": (
        "sel: {eventName: StopLogging}\ncondition: sel",
        "COALESCE((LOWER(event_name) = 'stoplogging'), FALSE)",
    ),
    "list": (
        "sel: {eventName: [A, B]}\ncondition: sel",
        "COALESCE(((LOWER(event_name) = 'a') OR (LOWER(event_name) = 'b')), FALSE)",
    ),
    "contains": (
        "sel: {userAgent|contains: Pacu}\ncondition: sel",
        "COALESCE((CONTAINS(LOWER(user_agent), 'pacu')), FALSE)",
    ),
    "startswith": (
        "sel: {eventName|startswith: Put}\ncondition: sel",
        "COALESCE((STARTS_WITH(LOWER(event_name), 'put')), FALSE)",
    ),
    "endswith": (
        "sel: {userIdentity.arn|endswith: /admin}\ncondition: sel",
        "COALESCE((ENDS_WITH(LOWER(user_arn), '/admin')), FALSE)",
    ),
    "all": (
        "sel: {userAgent|contains|all: [a, b]}\ncondition: sel",
        "COALESCE(((CONTAINS(LOWER(user_agent), 'a')) AND (CONTAINS(LOWER(user_agent), 'b'))),"
        " FALSE)",
    ),
    "wildcard": (
        "sel: {eventName: 'Get*Policy_x'}\ncondition: sel",
        "COALESCE((LOWER(event_name) LIKE 'get%policy\\_x' ESCAPE '\\'), FALSE)",
    ),
    "re": (
        "sel: {userIdentity.arn|re: '^arn:.+:root$'}\ncondition: sel",
        "COALESCE((REGEXP_MATCHES(user_arn, '^arn:.+:root$')), FALSE)",
    ),
    "re_i": (
        "sel: {eventName|re|i: '^get'}\ncondition: sel",
        "COALESCE((REGEXP_MATCHES(event_name, '^get', 'i')), FALSE)",
    ),
    "cidr": (
        "sel: {sourceIPAddress|cidr: 10.0.0.0/8}\ncondition: sel",
        "COALESCE((STARTS_WITH(source_ip_address, '10.')), FALSE)",
    ),
    "base64": (
        "sel: {requestParameters.userData|base64: evil}\ncondition: sel",
        "COALESCE((LOWER(request_parameters ->> '$.userData') = 'zxzpba=='), FALSE)",
    ),
    "exists": (
        "sel: {errorCode|exists: true}\ncondition: sel",
        "COALESCE((NOT error_code IS NULL), FALSE)",
    ),
    "not_exists": (
        "sel: {errorCode|exists: false}\ncondition: sel",
        "COALESCE((error_code IS NULL), FALSE)",
    ),
    "null": ("sel: {errorCode: null}\ncondition: sel", "COALESCE((error_code IS NULL), FALSE)"),
    "gt": (
        "sel: {requestParameters.durationSeconds|gt: 3600}\ncondition: sel",
        "COALESCE((TRY_CAST(request_parameters ->> '$.durationSeconds' AS DOUBLE) > 3600), FALSE)",
    ),
    "gte": (
        "sel: {requestParameters.n|gte: 1}\ncondition: sel",
        "COALESCE((TRY_CAST(request_parameters ->> '$.n' AS DOUBLE) >= 1), FALSE)",
    ),
    "lt": (
        "sel: {requestParameters.n|lt: 1}\ncondition: sel",
        "COALESCE((TRY_CAST(request_parameters ->> '$.n' AS DOUBLE) < 1), FALSE)",
    ),
    "lte": (
        "sel: {requestParameters.n|lte: 1}\ncondition: sel",
        "COALESCE((TRY_CAST(request_parameters ->> '$.n' AS DOUBLE) <= 1), FALSE)",
    ),
    "cased": (
        "sel: {eventName|cased: StopLogging}\ncondition: sel",
        "COALESCE((event_name = 'StopLogging'), FALSE)",
    ),
    "fieldref": (
        "sel: {userIdentity.arn|fieldref: requestParameters.userName}\ncondition: sel",
        "COALESCE((LOWER(user_arn) = LOWER(request_user_name)), FALSE)",
    ),
    "not_null_safe": (
        "sel: {eventName: X}\nf: {userIdentity.type: AssumedRole}\ncondition: sel and not f",
        "COALESCE(((LOWER(event_name) = 'x') AND (NOT (COALESCE(LOWER(user_type) = "
        "'assumedrole', FALSE)))), FALSE)",
    ),
    "keyword": (
        "keywords: [evil]\ncondition: keywords",
        "COALESCE((CONTAINS(LOWER(raw), 'evil')), FALSE)",
    ),
    "virtual_status": (
        "sel: {status: success}\ncondition: sel",
        "COALESCE((LOWER(CASE WHEN error_code IS NULL THEN 'success' ELSE "
        "'failure' END) = 'success'), FALSE)",
    ),
    "bool": (
        "sel: {requestParameters.enable: false}\ncondition: sel",
        "COALESCE((LOWER(request_parameters ->> '$.enable') = 'false'), FALSE)",
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name: str) -> None:
    detection, sql = GOLDEN[name]
    assert compile_detection(detection) == sql


def test_base64offset_and_windash_expand_to_alternatives() -> None:
    sql = compile_detection("sel: {requestParameters.x|base64offset|contains: abc}\ncondition: sel")
    assert sql.count("CONTAINS(") == 3
    sql = compile_detection("sel: {userAgent|windash|contains: ' -p '}\ncondition: sel")
    assert "' /p '" in sql and "' -p '" in sql


def test_expand_placeholder_uses_given_values() -> None:
    detection = "sel: {userIdentity.accountId|expand: '%org%'}\ncondition: not sel"
    sql = compile_detection(detection, {"org": ["111", "222"]})
    assert "'111'" in sql and "'222'" in sql
    assert "FALSE" in compile_detection(detection, {})
