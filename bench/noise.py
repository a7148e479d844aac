"""Noise benchmark: alerts the built-in pack raises on benign demo traffic, per million events.

    python bench/noise.py [--events 200000] [--seed 7] [--workdir DIR] [--only-new REF]
                          [--rules DIR ...] [--no-builtin]

1. generates the demo data set (30 days, several accounts, assumed-role sessions, service
   principals, CI users), cached in the work directory by size and seed;
2. ingests it without detection, then runs every enabled rule over the whole lake, as
   ``trailhound detect --since all`` does;
3. separates the alerts of the data set's attack stories by the generator's own labels (the
   event IDs of ``tell_stories``), never by rule: an alert is noise when its benign events alone
   reach the rule's threshold (every event of every alert is read from ``alert_events``, not the
   capped list on the alert), and prints, per rule, alerts and matched events per million benign
   events, then the totals by level and overall; signals (context rules, threshold rules below
   their threshold) are not alerts and are counted apart. The alerts the stories raised are
   listed after, as the check that cutting noise kept the attacks;
4. cross-checks the per-rule noise figures against one SQL count over the state database.

``--only-new REF`` limits the table to rules whose files are not in git revision REF (the rules a
branch adds), the figure a new rule must keep low. ``--rules`` adds rule folders (SigmaHQ's, an
older pack) and ``--no-builtin`` leaves the built-in pack out, to compare rule sets on one data
set.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from trailhound.data_dir import DataDir
from trailhound.detect.base import DetectorContext
from trailhound.detect.detection import Detection
from trailhound.detect.engine import BUILTIN_RULES, load_rules
from trailhound.detect.rules_detector import SigmaDetector
from trailhound.incidents.alerts import AlertStore
from trailhound.ingest import Ingestor
from trailhound.store.state import StateDB
from trailhound_demo.generator import generate_demo
from trailhound_demo.population import build_population
from trailhound_demo.stories import tell_stories

LEVELS = ("critical", "high", "medium", "low", "informational")


def demo_logs(events: int, seed: int, workdir: Path) -> Path:
    """The demo data set for this size and seed, generated once."""
    logs = workdir / f"logs-{events}-{seed}"
    marker = logs / ".complete"
    if not marker.exists():
        shutil.rmtree(logs, ignore_errors=True)
        started = time.perf_counter()
        summary = generate_demo(logs, events=events, seed=seed)
        print(f"generated {summary.events:,} events in {time.perf_counter() - started:.1f} s")
        marker.touch()
    return logs


def story_event_ids(events: int, seed: int) -> set[str]:
    """The event IDs of the attack stories the generator mixed into the data set."""
    _, records = tell_stories(build_population(seed), seed, events)
    return {str(r.record["eventID"]) for r in records}


def files_at(revision: str) -> set[str]:
    """Rule file names present in a git revision (empty when git cannot tell)."""
    result = subprocess.run(
        ["git", "ls-tree", "--name-only", revision, str(BUILTIN_RULES) + "/"],
        capture_output=True,
        text=True,
        check=False,
        cwd=BUILTIN_RULES,
    )
    return {Path(line).name for line in result.stdout.splitlines()}


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "th-bench")
    parser.add_argument("--only-new", metavar="REF", help="only rules added since git REF")
    parser.add_argument("--rules", type=Path, action="append", default=[], help="more rules")
    parser.add_argument("--no-builtin", action="store_true", help="leave the built-in pack out")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    logs = demo_logs(args.events, args.seed, args.workdir)
    stories = story_event_ids(args.events, args.seed)
    store = args.workdir / f"noise-store-{args.events}-{args.seed}"
    shutil.rmtree(store, ignore_errors=True)
    started = time.perf_counter()
    with Ingestor(DataDir(store)) as ingestor:
        ingestor.ingest_paths([logs])
    print(f"ingested in {time.perf_counter() - started:.1f} s")
    ruleset = load_rules(args.rules, builtin=not args.no_builtin)
    data_dir = DataDir(store)
    detector = SigmaDetector(DetectorContext(data_dir), ruleset=ruleset)
    detection = Detection(data_dir, AlertStore.for_data_dir(data_dir), detectors=[detector])
    started = time.perf_counter()
    alerts = detection.hunt(None, report_all=True)
    print(
        f"hunted with {len(detector.all_rules.alerting_ids())} alerting rules "
        f"in {time.perf_counter() - started:.1f} s"
    )
    rules = {r.id: (Path(r.path).name, r.level) for r in detector.all_rules.rules}
    rules.update({c.id: (Path(c.path).name, c.level) for c in detector.all_rules.correlations})
    old = files_at(args.only_new) if args.only_new else set()
    threshold = {r.id: r.threshold for r in detector.all_rules.rules}
    threshold.update({c.id: c.threshold for c in detector.all_rules.correlations})
    benign_of = benign_counts(data_dir, stories)
    per_rule: Counter[str] = Counter()
    events: Counter[str] = Counter()
    story_alerts: Counter[str] = Counter()
    for alert in alerts:
        rule_id = str(alert["rule_id"])
        benign_events = benign_of.get(str(alert["id"]), 0)
        if benign_events < threshold.get(rule_id, 1):
            story_alerts[rule_id] += 1
            continue
        per_rule[rule_id] += 1
        events[rule_id] += benign_events
    benign = args.events - len(stories)
    scale = 1e6 / benign
    print(f"benign events: {benign:,} (story events left out: {len(stories):,})")
    print(f"{'alerts/M':>9} {'events/M':>9}  {'level':13} rule")
    shown = [r for r in rules if not args.only_new or rules[r][0] not in old]
    for rule_id in sorted(shown, key=lambda r: (-per_rule[r], rules[r][0])):
        name, level = rules[rule_id]
        if per_rule[rule_id] or args.only_new:
            rates = f"{per_rule[rule_id] * scale:9.1f} {events[rule_id] * scale:9.1f}"
            print(f"{rates}  {level:13} {name}")
    for level in LEVELS:
        total = sum(per_rule[r] for r in shown if rules[r][1] == level)
        print(f"total {level}: {total * scale:.1f} alerts per million benign events")
    # Signals (context rules, threshold rules below their threshold) raise no alert: counted apart.
    signals = sum(AlertStore.for_data_dir(data_dir).signal_counts().values())
    print(
        f"total: {sum(per_rule[r] for r in shown) * scale:.1f} alerts per million benign events, "
        f"signals excluded ({signals * 1e6 / args.events:,.0f} signals per million events stored)"
    )
    if args.rules and not args.no_builtin:
        builtin = {r.id for r in detector.all_rules.rules if r.builtin}
        builtin.update(c.id for c in detector.all_rules.correlations if c.builtin)
        own = sum(n for r, n in per_rule.items() if r in builtin and r in shown)
        print(f"of which the built-in pack: {own * scale:.1f} alerts per million benign events")
    told = ", ".join(
        f"{rules[r][0]} {n}" for r, n in sorted(story_alerts.items(), key=lambda x: rules[x[0]][0])
    )
    print(f"attack-story alerts: {sum(story_alerts.values())} ({told or 'none'})")
    cross_check(data_dir, stories, threshold, per_rule)


def benign_counts(data_dir: DataDir, stories: set[str]) -> dict[str, int]:
    """Alert ID → how many of its events are not story events, from every event of every alert."""
    with StateDB(data_dir.state_db).connect(read_only=True) as con:
        rows = con.execute(
            "SELECT alert_id, count(*) FILTER (WHERE event_id NOT IN "
            "(SELECT unnest(CAST(? AS VARCHAR[])))) FROM alert_events GROUP BY alert_id",
            [sorted(stories)],
        ).fetchall()
    return {str(a): int(n) for a, n in rows}


def cross_check(
    data_dir: DataDir, stories: set[str], threshold: dict[str, int], per_rule: Counter[str]
) -> None:
    """Count the noise alerts per rule again in one SQL statement; stop if the figures differ."""
    with StateDB(data_dir.state_db).connect(read_only=True) as con:
        rows = con.execute(
            "WITH t AS (SELECT unnest(CAST(? AS VARCHAR[])) AS rule_id, "
            "unnest(CAST(? AS INTEGER[])) AS threshold), "
            "b AS (SELECT e.alert_id, count(*) FILTER (WHERE e.event_id NOT IN "
            "(SELECT unnest(CAST(? AS VARCHAR[])))) AS benign FROM alert_events AS e "
            "GROUP BY e.alert_id) "
            "SELECT a.rule_id, count(*) FROM alerts AS a JOIN b ON b.alert_id = a.id "
            "LEFT JOIN t ON t.rule_id = a.rule_id "
            "WHERE b.benign >= coalesce(t.threshold, 1) GROUP BY a.rule_id",
            [list(threshold), list(threshold.values()), sorted(stories)],
        ).fetchall()
    stored = {str(r): int(n) for r, n in rows}
    counted = {r: n for r, n in per_rule.items() if n}
    if stored != counted:
        raise SystemExit(f"cross-check failed: state DB {stored} != counted {counted}")
    print(f"cross-check: per-rule noise alerts agree with the state DB ({sum(stored.values())})")


if __name__ == "__main__":
    main()
