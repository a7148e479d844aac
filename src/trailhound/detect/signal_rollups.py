"""The bounded signal policy: every match of a signal rule counted, only the first few stored.

A signal rule (context rather than action) may match most events: SigmaHQ's "AWS STS AssumeRole
Misuse" matches every call made with a role-chained session, 85 % of a busy organization's
traffic. Stored one ``signals`` row per match, a hunt over a million events wrote 850,000 rows
and spent most of its time doing it, and every later batch checked its matches against them.

So the matches of a signal rule whose threshold is 1 (one that never alerts on its own) are
rolled up instead, per rule, grouping key (the alert store's: ``group_by``, by default the
principal in its account) and day (UTC), into ``signal_rollups``: the count, first and last
seen, the first event IDs (``SAMPLE_CAP``) and a 64-bit hash of every event counted, so that a
hunt run again, overlapping windows or an event met twice never count it twice. Only the events
that enter a rollup's ``event_ids`` go on to the alert store as signals: ``dataset = signals``
still shows, with every field, examples of each key and day, and all of a rare signal's events.
``signal_rollups`` (``dataset = signal_rollups``) holds the counts; the rule page counts from it.

Nothing else changes. Correlations read their rules' matches inside the scan, before this
policy; threshold rules (whose stored matches become an alert's first events) and alerting rules
keep every match. Suppressions apply to the stored examples only: a rollup counts what matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from trailhound.detect.base import DetectionRule
from trailhound.detect.grouping import KEY_SEPARATOR, MATCH_FIELDS, key_sql
from trailhound.detect.matches import MATCH_COLUMNS, MatchTable
from trailhound.store.state import StateDB

SAMPLE_CAP = 5  # events of each rule, key and day stored as signals, with all their fields
_KEY = key_sql()  # the alert store's grouping key, so a rollup and an alert agree
_COLUMNS = ", ".join(f'm."{c}"' for c in MATCH_COLUMNS)

# Only table and column names are formatted into these; every value is bound or read from a table.
# The matches (an event met twice in one recording kept once: the window that does it costs more
# than the rest, so it is added only when a pair is there twice), then those counted before
# dropped in place: no second copy of a million matches.
_FRESH = f"""
CREATE TEMP TABLE fresh AS
SELECT {_COLUMNS}, {_KEY} AS group_key,
       m.rule_id || '{KEY_SEPARATOR}' || lower({_KEY}) AS dedup_key,
       CAST(CAST(m.event_time AS TIMESTAMPTZ) AS DATE) AS day,
       hash(m.event_id) AS h
FROM rollup_matches AS m JOIN rollup_rules AS r USING (rule_id)
WHERE m.event_id IS NOT NULL AND m.event_time IS NOT NULL
"""
_ONCE = "QUALIFY row_number() OVER (PARTITION BY dedup_key, day, h ORDER BY m.event_time) = 1"
_HAS_REPEATS = """
SELECT count(*) FROM (SELECT rule_id, event_id FROM rollup_matches SEMI JOIN rollup_rules
                      USING (rule_id) GROUP BY ALL HAVING count(*) > 1)
"""
# The rollups these matches fall in, as stored before.
_EXISTING = """
CREATE TEMP TABLE existing AS
SELECT s.dedup_key, s.day, s.event_hashes, len(s.event_ids) AS samples
FROM signal_rollups AS s
SEMI JOIN (SELECT DISTINCT dedup_key, day FROM fresh) AS k
USING (dedup_key, day)
"""
_DROP_COUNTED = """
DELETE FROM fresh USING (
    SELECT dedup_key, day, unnest(event_hashes) AS h FROM existing
) AS k WHERE fresh.dedup_key = k.dedup_key AND fresh.day = k.day AND fresh.h = k.h
"""
_UPSERT = f"""
INSERT INTO signal_rollups (rule_id, title, group_key, dedup_key, day, count,
                            first_seen, last_seen, event_ids, event_hashes, updated_at)
SELECT any_value(f.rule_id), any_value(r.title), arg_min(group_key, (event_time, event_id)),
       dedup_key, day, count(*), min(event_time), max(event_time),
       min_by(event_id, (event_time, event_id), {SAMPLE_CAP}), list(h), $now
FROM fresh AS f JOIN rollup_rules AS r USING (rule_id) GROUP BY dedup_key, day
ON CONFLICT (dedup_key, day) DO UPDATE SET
    count = count + excluded.count,
    first_seen = least(first_seen, excluded.first_seen),
    last_seen = greatest(last_seen, excluded.last_seen),
    event_ids = (event_ids || excluded.event_ids)[1:{SAMPLE_CAP}],
    event_hashes = event_hashes || excluded.event_hashes,
    updated_at = excluded.updated_at
"""
# The fresh matches that entered their rollup's ``event_ids``: the ones stored as signals. Each
# rollup's first events are found by aggregating (a window ranking every match cost seconds at a
# million matches), then the few matches they are joined back.
_SAMPLES = f"""
WITH firsts AS (
    SELECT dedup_key, day,
           unnest(min_by(event_id, (event_time, event_id), {SAMPLE_CAP})) AS event_id,
           generate_subscripts(min_by(event_id, (event_time, event_id), {SAMPLE_CAP}), 1) AS rank
    FROM fresh GROUP BY dedup_key, day
)
SELECT {_COLUMNS}
FROM fresh AS m JOIN firsts AS f USING (dedup_key, day, event_id)
LEFT JOIN existing AS e USING (dedup_key, day)
WHERE f.rank + coalesce(e.samples, 0) <= {SAMPLE_CAP}
ORDER BY m.event_time, m.event_id
"""


def rolled_up_rules(rules: Sequence[DetectionRule]) -> list[DetectionRule]:
    """The rules whose matches the policy rolls up: signals that never alert on their own."""
    return [r for r in rules if r.signal and r.threshold <= 1]


def _rule_table(rules: Sequence[DetectionRule]) -> pa.Table:
    columns: dict[str, pa.Array] = {
        "rule_id": pa.array([r.id for r in rules], pa.string()),
        "title": pa.array([r.title for r in rules], pa.string()),
    }
    for name in MATCH_FIELDS:
        columns[f"g_{name}"] = pa.array([name in r.alert_group_by for r in rules], pa.bool_())
    return pa.table(columns)


class SignalRollups:
    """The rollups of one state database."""

    def __init__(self, state: StateDB) -> None:
        self.state = state

    def bound(self, matches: MatchTable, rules: Sequence[DetectionRule]) -> MatchTable:
        """Roll up the matches of the signal rules among ``rules``; the matches to store: every
        other rule's, and the signal matches that are a rollup's first events."""
        rolled = rolled_up_rules(rules)
        if not len(matches) or not rolled:
            return matches
        table = matches.table
        ids = pa.array(sorted({r.id for r in rolled}), pa.string())
        is_signal = pc.is_in(table["rule_id"], value_set=ids)
        if not pc.any(is_signal).as_py():
            return matches
        others = table.filter(pc.invert(is_signal))
        # The whole table goes to SQL, not a filtered copy: joining the signal rules selects.
        meta = _rule_table(rolled)
        with self.state.connect() as con:
            con.execute("SET TimeZone = 'UTC'")  # the day of a rollup is a UTC day
            con.register("rollup_matches", table)
            con.register("rollup_rules", meta)
            try:
                con.execute("BEGIN")
                repeats = con.execute(_HAS_REPEATS).fetchone()
                con.execute(_FRESH + (_ONCE if repeats and repeats[0] else ""))
                con.execute(_EXISTING)
                con.execute(_DROP_COUNTED)
                samples = con.sql(_SAMPLES).to_arrow_table()
                con.execute(_UPSERT, {"now": datetime.now(UTC)})
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                for name in ("existing", "fresh"):
                    con.execute(f"DROP TABLE IF EXISTS {name}")
                con.unregister("rollup_matches")
                con.unregister("rollup_rules")
        return MatchTable(pa.concat_tables([others, MatchTable(samples).table]))

    def counts(self) -> dict[str, int]:
        """Events counted per signal rule ID."""
        with self.state.connect(read_only=True) as con:
            rows = con.execute(
                "SELECT rule_id, sum(count) FROM signal_rollups GROUP BY rule_id"
            ).fetchall()
        return {str(rule): int(n) for rule, n in rows}
