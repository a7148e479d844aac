"""Correlation rules of the pack: their embedded event groups fire (match) or stay quiet (no_match).

Each group is ingested on its own day, its events one second apart, so no window spans two
groups. An item ``{repeat: N, event: {...}}`` stands for N copies of the event, with ``{n}`` in its
strings replaced by the copy's number.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from detect_support import ACCOUNT, complete_event, ingest_records, lake_matches

from trailhound.data_dir import DataDir
from trailhound.detect.base import RuleSet
from trailhound.detect.engine import load_rules

PACK = load_rules()
GROUPS = [(c.id, key) for c in PACK.correlations for key in ("match", "no_match")]
NAMES = {c.id: Path(c.path).stem for c in PACK.correlations}
START = datetime(2026, 6, 1, tzinfo=UTC)


def _numbered(value: Any, n: int) -> Any:
    if isinstance(value, str):
        return value.replace("{n}", str(n))
    if isinstance(value, dict):
        return {k: _numbered(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbered(v, n) for v in value]
    return value


def expand(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The events of a test group, repeats unrolled."""
    for item in items:
        if "repeat" in item and "event" in item:
            for n in range(int(item["repeat"])):
                yield _numbered(item["event"], n)
        else:
            yield item


@pytest.fixture(scope="module")
def fired(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    """(correlation ID, group) pairs where the correlation fired on an event of its own group."""
    by_id = {c.id: c for c in PACK.correlations}
    records: list[dict[str, Any]] = []
    group_of: dict[str, tuple[str, str]] = {}
    for g, (corr_id, key) in enumerate(GROUPS):
        base = START + timedelta(days=2 * g)
        for n, event in enumerate(expand(by_id[corr_id].tests.get(key, []))):
            event = dict(event)
            event.setdefault(
                "eventTime", (base + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            )
            event_id = f"{corr_id}-{key}-{n}"
            records.append(complete_event(event, event_id))
            group_of[event_id] = (corr_id, key)
    data_dir = DataDir(tmp_path_factory.mktemp("correlations"))
    ingest_records(data_dir, records)
    # Only the correlations' base rules: the other rules cannot change what a correlation sees.
    bases = {ref for c in PACK.correlations for ref in c.rule_ids}
    needed = RuleSet(
        rules=[r for r in PACK.rules if r.id in bases or r.name in bases],
        correlations=PACK.correlations,
    )
    found: set[tuple[str, str]] = set()
    for match in lake_matches(data_dir, needed, {"org_accounts": [ACCOUNT]}):
        group = group_of.get(match.event_id)
        if group is not None and group[0] == match.rule_id:
            found.add(group)
    return found


def test_every_correlation_has_tests() -> None:
    for corr in PACK.correlations:
        assert corr.tests.get("match"), f"{corr.path} has no events that must fire"
        assert corr.tests.get("no_match"), f"{corr.path} has no events that must not fire"


@pytest.mark.parametrize(("corr_id", "key"), GROUPS, ids=[f"{NAMES[c]}-{k}" for c, k in GROUPS])
def test_correlation_group(fired: set[tuple[str, str]], corr_id: str, key: str) -> None:
    assert ((corr_id, key) in fired) == (key == "match")
