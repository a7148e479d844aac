"""Structure limits: the exact scan, and the SQL bound that decides who gets scanned."""

from __future__ import annotations

import duckdb
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from trailhound.normalize.limits import RecordLimits, needs_structure_check_sql, structure_violation

LIMITS = RecordLimits(max_keys=20, max_depth=5)


def _depth_and_keys(value: object) -> tuple[int, int]:
    if isinstance(value, dict):
        inner = [_depth_and_keys(v) for v in value.values()]
        return 1 + max((d for d, _ in inner), default=0), len(value) + sum(k for _, k in inner)
    if isinstance(value, list):
        inner = [_depth_and_keys(v) for v in value]
        return 1 + max((d for d, _ in inner), default=0), sum(k for _, k in inner)
    return 0, 0


def test_depth_and_keys() -> None:
    assert structure_violation('{"a": [[{"b": 1}]]}', LIMITS) is None
    assert structure_violation('{"a": [[[[{"b": 1}]]]]}', LIMITS) == (
        "record nests deeper than 5 levels"
    )
    many = orjson.dumps({f"k{i}": i for i in range(21)})
    assert structure_violation(many, LIMITS) == "record has more than 20 keys"
    # Brackets and colons inside strings are text, not structure.
    assert structure_violation(orjson.dumps({"a": "[[[[[[[[:::::" * 10}), LIMITS) is None
    assert structure_violation(b'{"a": "\\"[[[[[[[["}', LIMITS) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(alphabet='ab:[{"\\ '),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=40,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_scan_agrees_with_a_walk_and_sql_flags_every_violation(value: object) -> None:
    text = orjson.dumps(value)
    depth, keys = _depth_and_keys(value)
    verdict = structure_violation(text, LIMITS)
    if depth > LIMITS.max_depth:
        assert verdict == "record nests deeper than 5 levels"
    elif keys > LIMITS.max_keys:
        assert verdict == "record has more than 20 keys"
    else:
        assert verdict is None
    flagged = duckdb.execute(
        f"SELECT {needs_structure_check_sql('raw', LIMITS)} FROM (SELECT ? AS raw)",
        [text.decode()],
    ).fetchone()
    # The SQL bound may flag records within limits, never miss one past them.
    if verdict is not None:
        assert flagged == (True,)
