"""Compiled rules and scan SQL cached in the data directory: the same rules, any change a miss."""

from __future__ import annotations

from pathlib import Path

from detect_support import complete_event, detection, ingest_records

from trailhound.data_dir import DataDir
from trailhound.detect.engine import load_rules, rule_predicates
from trailhound.detect.rule_cache import MAX_ENTRIES, RuleCache, decode, encode

FOREIGN_GRANT = """title: Grant to an outside account (placeholders)
id: 7c000000-0000-4000-8000-000000000001
logsource: {product: aws, service: cloudtrail}
detection:
  sel:
    eventName: CreateGrant
  ours:
    requestParameters.granteePrincipal|contains|cased|expand: '::%org_accounts%:'
  condition: sel and not ours
level: high
suppression: 2h
tests:
  match:
    - {eventName: CreateGrant, requestParameters: {granteePrincipal: 'arn:aws:iam::999:role/x'}}
"""


def _same(left: object, right: object) -> bool:
    return repr(left) == repr(right)


def test_a_cached_rule_set_is_the_rule_set_loaded(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "grant.yml").write_text(FOREIGN_GRANT)
    cache = RuleCache(tmp_path / "cache")
    fresh = load_rules([rules], cache=cache)
    assert fresh.fingerprint and list((tmp_path / "cache").glob("rules-*.json"))
    cached = load_rules([rules], cache=cache)
    assert cached.fingerprint == fresh.fingerprint
    assert [r.id for r in cached.rules] == [r.id for r in fresh.rules]
    for a, b in zip(fresh.rules, cached.rules, strict=True):
        assert a.predicate.sql() == b.predicate.sql(), a.id
        assert (a.suppression, a.tests, a.alert_group_by, a.signal, a.tactics) == (
            b.suppression, b.tests, b.alert_group_by, b.signal, b.tactics,
        )  # fmt: skip
        assert (a.recompile is None) == (b.recompile is None)
    assert [c.id for c in cached.correlations] == [c.id for c in fresh.correlations]
    groups = [[c.group_by for c in s.correlations] for s in (cached, fresh)]
    assert _same(*groups)
    # A rule with placeholders is compiled again from its file, on demand, the same way.
    values = {"org_accounts": ["111111111111", "222222222222"]}
    grant = [r for r in fresh.rules if r.id.startswith("7c000000")]
    again = [r for r in cached.rules if r.id.startswith("7c000000")]
    assert rule_predicates(grant, values)[0].sql() == rule_predicates(again, values)[0].sql()
    assert "222222222222" in rule_predicates(again, values)[0].sql()

    # Any change to a rule file is a new key: the change is seen.
    (rules / "grant.yml").write_text(FOREIGN_GRANT.replace("level: high", "level: low"))
    changed = load_rules([rules], cache=cache)
    assert changed.fingerprint != fresh.fingerprint
    assert [r.level for r in changed.rules if r.id.startswith("7c000000")] == ["low"]


def test_a_damaged_entry_is_loaded_again(tmp_path: Path) -> None:
    cache = RuleCache(tmp_path / "cache")
    fresh = load_rules([], cache=cache)
    [entry] = (tmp_path / "cache").glob("rules-*.json")
    entry.write_text("{not json")
    again = load_rules([], cache=cache)
    assert [r.id for r in again.rules] == [r.id for r in fresh.rules]
    assert decode(encode(again), lambda path: load_rules([Path(path)])).rules[0].id == (
        again.rules[0].id
    )


def test_a_second_hunt_reads_its_scan_sql_from_the_cache(tmp_path: Path) -> None:
    data_dir = DataDir(tmp_path / "data")
    event = {"eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com"}
    ingest_records(data_dir, [complete_event(event, "stop-1")])
    first = detection(data_dir).hunt(None, report_all=True)
    entries = sorted((data_dir.cache / "rules").glob("sql-*.sql"))
    assert entries and "hits" in entries[0].read_text()
    second = detection(data_dir).hunt(None, report_all=True)
    assert [a["id"] for a in second] == [a["id"] for a in first] and first
    assert sorted((data_dir.cache / "rules").glob("sql-*.sql")) == entries


def test_the_cache_folder_keeps_the_newest_entries(tmp_path: Path) -> None:
    cache = RuleCache(tmp_path / "cache")
    names = []
    for index in range(MAX_ENTRIES + 5):
        name, text = cache.sql(("rules", index))
        assert text is None
        cache.store_sql(name, f"SELECT {index}")
        names.append(name)
    kept = {p.name for p in (tmp_path / "cache").iterdir()}
    assert len(kept) == MAX_ENTRIES and names[-1] in kept
    assert cache.sql(("rules", MAX_ENTRIES + 4))[1] == f"SELECT {MAX_ENTRIES + 4}"
