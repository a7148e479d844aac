"""The careful reader: every shape, damaged input, and arbitrary bytes."""

from __future__ import annotations

import gzip

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from trailhound.model import InputFormat, QuarantineEntry, RawRecord, SkipReason
from trailhound.sources.decode import decode_bytes
from trailhound.sources.files import account_from_path, classify_name


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    items = list(decode_bytes(data, "fuzz"))
    assert all(isinstance(i, (RawRecord, QuarantineEntry)) for i in items)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=512))
def test_never_raises_on_arbitrary_gzip(data: bytes) -> None:
    packed = gzip.compress(data)
    for cut in (len(packed), len(packed) // 2, 12):
        list(decode_bytes(packed[:cut], "fuzz"))
        list(decode_bytes(packed[:cut], "fuzz", InputFormat.JSON_LINES))


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_never_raises_on_arbitrary_json(doc: object) -> None:
    for body in (orjson.dumps(doc), orjson.dumps({"Records": doc}), orjson.dumps({"Events": doc})):
        list(decode_bytes(body, "fuzz"))


def test_json_lines_bad_line_is_quarantined_rest_kept() -> None:
    body = b'{"eventName": "A"}\n{not json\n{"eventName": "B"}\n'
    items = list(decode_bytes(body, "f", InputFormat.JSON_LINES))
    assert [i.index for i in items if isinstance(i, RawRecord)] == [0, 2]
    bad = [i for i in items if isinstance(i, QuarantineEntry)]
    assert len(bad) == 1 and bad[0].position == 1 and bad[0].reason.startswith("invalid JSON")


def test_truncated_json_lines_salvage_complete_lines() -> None:
    body = gzip.compress(b"\n".join(orjson.dumps({"eventName": str(i)}) for i in range(500)))
    items = list(decode_bytes(body[: len(body) // 2], "f", InputFormat.JSON_LINES))
    assert any(isinstance(i, RawRecord) for i in items)
    assert any(
        isinstance(i, QuarantineEntry) and i.reason.startswith("truncated gzip") for i in items
    )


def test_classify_names() -> None:
    base = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/"
    assert (
        classify_name(base + "111122223333_CloudTrail_us-east-1_20261101T1000Z_ab.json.gz")
        is InputFormat.CLOUDTRAIL_FILE
    )
    assert (
        classify_name(
            "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/01/"
            "1_CloudTrail-Digest_us-east-1_t_us-east-1_20261101T100000Z.json.gz"
        )
        is SkipReason.DIGEST
    )
    assert (
        classify_name("AWSLogs/1/CloudTrail-Insight/x/1_CloudTrail-Insight_x_y.json.gz")
        is InputFormat.INSIGHT_FILE
    )
    assert classify_name("AWSLogs/ConfigWritabilityCheckFile") is SkipReason.WRITABILITY_CHECK
    assert account_from_path("b/AWSLogs/o-aa11bb22cc/999988887777/CloudTrail/x") == "999988887777"
