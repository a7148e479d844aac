"""Sigma field names resolve exactly as the same names do in a query: one resolver."""

from __future__ import annotations

import pytest
from sqlglot import exp

from trailhound.detect.sigma.pipeline import field_expression
from trailhound.errors import DetectError
from trailhound.query import compile_condition


@pytest.mark.parametrize(
    "name",
    [
        "eventName",
        "EVENTNAME",
        "event_name",
        "userIdentity.sessionContext.sessionIssuer.userName",
        "requestParameters.bucketName",
        "requestParameters.policy.Statement",
        "resources[0].ARN",
    ],
)
def test_a_rule_reads_a_field_as_a_query_does(name: str) -> None:
    query_side = compile_condition(f'{name} = "x"')  # LOWER(<the field>) = 'x'
    assert isinstance(query_side, exp.EQ) and isinstance(query_side.this, exp.Lower)
    assert field_expression(name) == query_side.this.this


def test_json_paths_are_neutral_nodes_every_dialect_writes() -> None:
    extract = field_expression("additionalEventData.x-amz-id-2")
    assert isinstance(extract, exp.JSONExtractScalar)
    assert extract.sql("duckdb") == "additional_event_data ->> '$.\"x-amz-id-2\"'"
    assert extract.sql("spark") == "GET_JSON_OBJECT(additional_event_data, '$.x-amz-id-2')"
    assert extract.sql("trino") == "JSON_EXTRACT_SCALAR(additional_event_data, '$[\"x-amz-id-2\"]')"


def test_non_text_columns_compare_as_text_and_unknown_fields_are_refused() -> None:
    assert field_expression("readOnly").sql("duckdb") == "CAST(read_only AS TEXT)"
    assert field_expression("status").find(exp.Case) is not None  # SigmaHQ's virtual field
    with pytest.raises(DetectError, match="unknown field 'noSuchField'"):
        field_expression("noSuchField")
