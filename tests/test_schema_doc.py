"""docs/schema.md is the schema table, rendered."""

from __future__ import annotations

from pathlib import Path

from trailhound.schema import resolve_field, schema_markdown


def test_schema_doc_is_current() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "schema.md"
    assert doc.read_text() == schema_markdown(), "run: trailhound schema > docs/schema.md"


def test_field_names_resolve_case_insensitively() -> None:
    assert resolve_field("EVENTNAME") == ("event_name", None)
    assert resolve_field("userIdentity.sessionContext.sessionIssuer.arn") == (
        "session_issuer_arn",
        None,
    )
    assert resolve_field("RequestParameters.bucketName") == ("request_parameters", "$.bucketName")
    assert resolve_field("userIdentity.onBehalfOf.userId") == ("user_on_behalf_of_user_id", None)
    assert resolve_field("userIdentity.sessionContext.foo") == (
        "user_identity",
        "$.sessionContext.foo",
    )
