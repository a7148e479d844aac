"""The careful reader: every shape, damaged input, and arbitrary bytes."""

from __future__ import annotations

import gzip

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailhound.model import InputFormat, QuarantineEntry, RawRecord
from trailhound.normalize.limits import RecordLimits
from trailhound.sources import decode
from trailhound.sources.decode import decode_bytes


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


def _cloudtrail(records: list[object]) -> bytes:
    return orjson.dumps({"Records": records})


def _event_ids(items: list[RawRecord | QuarantineEntry]) -> list[str]:
    return [orjson.loads(i.json)["eventID"] for i in items if isinstance(i, RawRecord)]


def _records(n: int) -> list[dict[str, object]]:
    # Different text per record, so that gzip cannot fold them into back-references.
    return [{"eventID": f"id-{i}", "eventName": "X", "pad": f"{i * 7919:x}" * 20} for i in range(n)]


def test_one_bad_byte_quarantines_its_record_only() -> None:
    body = _cloudtrail(_records(6))
    at = body.index(b"id-3") + 1
    items = list(decode_bytes(body[:at] + b"\xff" + body[at + 1 :], "f"))
    assert _event_ids(items) == ["id-0", "id-1", "id-2", "id-4", "id-5"]
    [bad] = [i for i in items if isinstance(i, QuarantineEntry)]
    assert bad.position == 3 and bad.reason.startswith("invalid JSON")
    assert bad.excerpt.startswith('{"eventID":"i')


def test_truncated_gzip_salvages_its_intact_records() -> None:
    records = _records(200)
    body = _cloudtrail(records)
    packed = gzip.compress(body)
    items = list(decode_bytes(packed[: len(packed) // 2], "f"))
    salvaged = _event_ids(items)
    assert 10 < len(salvaged) < 200
    assert salvaged == [f"id-{i}" for i in range(len(salvaged))]  # every whole one, in order
    reasons = [i.reason for i in items if isinstance(i, QuarantineEntry)]
    assert "invalid JSON: the input ends inside this record" in reasons
    assert any(r.startswith("truncated gzip") for r in reasons)


def test_records_per_object_are_limited() -> None:
    body = gzip.compress(b'{"Records": [' + b"{}," * 999 + b"{}]}")
    items = list(decode_bytes(body, "f", limits=RecordLimits(max_records=100)))
    assert len([i for i in items if isinstance(i, RawRecord)]) == 100
    [entry] = [i for i in items if isinstance(i, QuarantineEntry)]
    assert (entry.position, entry.reason) == (
        100,
        "more than 100 records in one object: records from index 100 on were not read",
    )


def test_many_values_are_read_element_by_element(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [*_records(5), "not a record", [1, 2]]
    whole = list(decode_bytes(_cloudtrail(records), "f"))
    monkeypatch.setattr(decode, "WHOLE_PARSE_VALUES", 3)  # the scanner, as for a huge file
    scanned = list(decode_bytes(_cloudtrail(records), "f"))
    assert scanned == whole and len(whole) == 7


def test_lookup_events_with_invalid_embedded_json() -> None:
    body = orjson.dumps(
        {
            "Events": [
                {"CloudTrailEvent": '{"eventID": "ok", "eventName": "X"}'},
                {"CloudTrailEvent": '{"eventID": "broken'},
            ]
        }
    )
    items = list(decode_bytes(body, "f"))
    assert _event_ids(items) == ["ok"]
    [bad] = [i for i in items if isinstance(i, QuarantineEntry)]
    assert bad.position == 1 and bad.reason.startswith("CloudTrailEvent is not valid JSON")


def test_json_lines_not_named_so_still_read_line_by_line() -> None:
    lines = b"\n".join(orjson.dumps(r) for r in _records(3))
    assert _event_ids(list(decode_bytes(lines, "f"))) == ["id-0", "id-1", "id-2"]
    damaged = b"{\xff\n" + lines  # a broken first line
    items = list(decode_bytes(damaged, "f"))
    assert _event_ids(items) == ["id-0", "id-1", "id-2"]
