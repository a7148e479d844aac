"""The element scanner: extents, damage and resynchronization, bounded work."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trailhound.sources.json_scan import (
    BudgetExhausted,
    Piece,
    ScanBudget,
    find_record_array,
    scan_array,
    value_end,
)


def _record(n: int) -> dict[str, Any]:
    return {"eventID": f"e{n}", "eventName": "X", "nested": [{"a": ']}"[{'}, {"b": n}]}


def _scan(data: bytes, budget: int = 10**6) -> list[Piece]:
    found = find_record_array(data)
    return list(
        scan_array(
            data,
            found[0] if found else None,
            ScanBudget(budget),
            max_depth=8,
            looks_like_record=lambda v: isinstance(v, dict) and "eventID" in v,
        )
    )


def test_value_end_skips_strings_and_reports_depth() -> None:
    data = b'[{"a": "]}"}, [[[[[[[[[[1]]]]]]]]]], "x\\"y", 12]'
    assert value_end(data, 0, ScanBudget(100), max_depth=3) == (len(data), True)
    assert value_end(data, 1, ScanBudget(100), max_depth=3) == (12, False)
    assert value_end(b'"x\\"y", 1', 0, ScanBudget(100), max_depth=3) == (6, False)
    assert value_end(b"[1, [2", 0, ScanBudget(100), max_depth=3) == (None, False)
    assert value_end(b'{"a": "never closed', 0, ScanBudget(100), max_depth=3) == (None, False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.recursive(
            st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(alphabet='ab]}[{"\\ ,'),
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
            max_leaves=10,
        ),
        max_size=6,
    )
)
def test_valid_arrays_scan_to_their_elements(elements: list[Any]) -> None:
    for data in (orjson.dumps(elements), orjson.dumps({"Records": elements}, option=2)):
        pieces = list(
            scan_array(
                data,
                find_record_array(data)[0],  # type: ignore[index]
                ScanBudget(10**6),
                max_depth=100,
                looks_like_record=lambda v: True,
            )
        )
        assert [p.value for p in pieces] == elements
        assert all(p.error is None for p in pieces)


def test_a_bad_byte_costs_its_record_only() -> None:
    body = orjson.dumps({"Records": [_record(n) for n in range(5)]})
    damaged = body.replace(b'"e2"', b'"e\xff"')
    pieces = _scan(damaged)
    assert [p.value["eventID"] for p in pieces if p.error is None] == ["e0", "e1", "e3", "e4"]
    [bad] = [p for p in pieces if p.error]
    assert bad.index == 2 and bad.error.startswith("invalid JSON")  # type: ignore[union-attr]
    assert bad.offset == body.index(b'{"eventID":"e2"')


def test_unbalanced_damage_resynchronizes_on_the_next_record() -> None:
    body = orjson.dumps({"Records": [_record(n) for n in range(5)]})
    # The closing brace of record 1 is lost: its extent runs on; records 2.. are found again.
    end = body.index(b',{"eventID":"e2"')
    pieces = _scan(body[: end - 1] + body[end:])
    assert [p.value["eventID"] for p in pieces if p.error is None] == ["e0", "e2", "e3", "e4"]
    # A quote lost inside record 3 flips what is string and what is not.
    at = body.index(b'"X"', body.index(b'"e3"'))
    pieces = _scan(body[:at] + body[at + 1 :])
    assert [p.value["eventID"] for p in pieces if p.error is None] == ["e0", "e1", "e2", "e4"]


def test_truncated_tail_keeps_whole_records_and_reports_the_rest() -> None:
    body = orjson.dumps({"Records": [_record(n) for n in range(3)]})
    cut = body.index(b',{"eventID":"e2"') + 20
    pieces = _scan(body[:cut])
    assert [p.value["eventID"] for p in pieces if p.error is None] == ["e0", "e1"]
    assert [p.error for p in pieces if p.error] == [
        "invalid JSON: the input ends inside this record"
    ]
    # Cut right after a record: the missing end of the array is reported too.
    pieces = _scan(body[: body.index(b',{"eventID":"e2"') + 1])
    assert [p.error for p in pieces if p.error] == ["invalid JSON: the input ends before the array"]


def test_records_without_an_array_are_still_found() -> None:
    body = b"\xff" + b"\n".join(orjson.dumps(_record(n)) for n in range(3))
    pieces = _scan(body)
    assert [p.value["eventID"] for p in pieces if p.error is None] == ["e0", "e1", "e2"]


def test_too_deep_element_is_skipped_whole() -> None:
    deep = b'{"eventID": "deep", "x": ' + b"[" * 50 + b"]" * 50 + b"}"
    body = b'{"Records": [' + orjson.dumps(_record(0)) + b"," + deep + b","
    body += orjson.dumps(_record(1)) + b"]}"
    pieces = _scan(body)
    assert [p.value["eventID"] for p in pieces if p.error is None] == ["e0", "e1"]
    assert [p.error for p in pieces if p.error] == ["record nests deeper than 8 levels"]


def test_budget_bounds_the_work() -> None:
    body = b'{"Records": [' + b"{}," * 10_000 + b"{}]}"
    with pytest.raises(BudgetExhausted):
        _scan(body, budget=1_000)
