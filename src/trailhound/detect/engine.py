"""Run many rules in one scan of a relation: the lake's ``cloudtrail`` view or an ingest batch.

Every single-event rule is a boolean expression; one SELECT filters the relation by their
disjunction and lists, for each surviving event, the indices of the rules it matched. The same SQL
runs over ``new_events`` during ingest and over any time range of the lake when hunting, so the
two modes see the same matches. Correlation rules are then evaluated over those matches.

The SELECT is built from dialect-neutral sqlglot nodes only (``JSONExtractScalar``,
``ArrayFilter``, ``ArraySize``, ``RegexpLike`` …) and rendered for the backend that runs it
through :mod:`trailhound.query.dialects`, so the rules a DuckDB backend runs are the rules a
Spark or Trino backend would run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
from sqlglot import exp

import trailhound
from trailhound.detect.base import (
    RULE_FORMATS,
    CorrelationRule,
    DetectionRule,
    Placeholders,
    RuleFormat,
    RuleSet,
)
from trailhound.detect.correlation import correlation_sql
from trailhound.detect.grouping import default_resource, principal_expression, session_expression
from trailhound.detect.matches import MATCH_COLUMNS, MatchTable
from trailhound.detect.rule_cache import RuleCache, fingerprint
from trailhound.query.dialects import get_dialect

if TYPE_CHECKING:
    from trailhound.store.base import Backend

BUILTIN_RULES = Path(trailhound.__file__).parent / "rules"
_BASE_COLUMNS = ("event_id", "event_time", "actor", "account", "aws_region", "source_ip_address")


def load_rules(
    extra_dirs: Iterable[Path] = (),
    *,
    builtin: bool = True,
    keep_source: bool = False,
    cache: RuleCache | None = None,
) -> RuleSet:
    """The built-in pack plus every rule file under ``extra_dirs``, with load problems.

    A file is read by the first registered rule format (in name order) that claims its suffix.
    With a ``cache`` (and no ``source`` kept), a rule set loaded before from the same files by
    the same compiler is read from it instead (``detect.rule_cache``).
    """
    sources = [(BUILTIN_RULES, True)] if builtin else []
    sources += [(Path(d), False) for d in extra_dirs]
    files = [
        (file, is_builtin)
        for folder, is_builtin in sources
        for file in ([folder] if folder.is_file() else sorted(folder.rglob("*")))
    ]
    loaded: list[RuleFormat] = []

    def formats() -> list[RuleFormat]:
        if not loaded:  # formats (pySigma) imported only when a file must be read
            names = RULE_FORMATS.names()
            loaded.extend(RULE_FORMATS.get(n)(keep_source=keep_source) for n in names)
        return loaded

    def load_file(file: Path, is_builtin: bool) -> RuleSet:
        for candidate in formats():
            if file.suffix in candidate.suffixes:
                return candidate.load_file(file, builtin=is_builtin)
        return RuleSet()

    builtin_of = {str(f): b for f, b in files}
    key = ""
    result: RuleSet | None = None
    if cache is not None and not keep_source:
        key = fingerprint([(f, b) for f, b in files if f.is_file()], RULE_FORMATS.names())
        result = cache.ruleset(key, lambda p: load_file(Path(p), builtin_of.get(p, False)))
    if result is None:
        result = RuleSet()
        for file, is_builtin in files:
            result.extend(load_file(file, is_builtin))
        if key and cache is not None:
            cache.store_ruleset(key, result)
    result.fingerprint, result.cache = key, cache
    silenced = {ref for c in result.correlations if not c.generate for ref in c.rule_ids}
    for rule in result.rules:
        if rule.id in silenced or (rule.name is not None and rule.name in silenced):
            rule.generate = False
    return result


def rule_predicates(
    rules: Sequence[DetectionRule], placeholders: Placeholders
) -> list[exp.Expression]:
    """Each rule's predicate, re-compiled where it uses ``|expand`` placeholders."""
    return [r.recompile(placeholders) if r.recompile else r.predicate for r in rules]


def hoist_shared(
    predicates: Sequence[exp.Expression],
) -> tuple[list[exp.Expression], dict[str, exp.Expression]]:
    """Replace each ``LOWER(…)`` and JSON extraction by a column computed once per event.

    A rule pack repeats ``LOWER(event_name)`` in most rules; computing it once instead of once
    per rule is what makes one scan over many rules cheaper than a scan per rule.
    """
    shared: dict[str, tuple[str, exp.Expression]] = {}

    def hoist(node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.Lower, exp.JSONExtractScalar)):
            key = node.sql()  # by text: sqlglot's own equality ignores the case of strings
            if key not in shared:
                shared[key] = (f"__shared_{len(shared)}", node.copy())
            return exp.column(shared[key][0])
        return node

    rewritten = [p.transform(hoist) for p in predicates]  # transform works on a copy
    return rewritten, {alias: expression for alias, expression in shared.values()}


def guard_shared(
    shared: dict[str, exp.Expression],
    rewritten: Sequence[exp.Expression],
    predicates: Sequence[exp.Expression],
) -> dict[str, exp.Expression]:
    """Compute each shared JSON extraction only on events whose name a rule reading it needs.

    Parsing a JSON document is what a scan spends most on, and most events are calls no rule
    reading that field can match: ``CASE WHEN LOWER(event_name) IN (…) THEN … END`` skips them.
    A rule limited to some event names (``required_event_names``) is false on every other event
    whatever the field holds, so the NULL it then reads changes nothing; a field any unlimited
    rule reads is computed everywhere.
    """
    needs: dict[str, set[str] | None] = {}
    for rule, predicate in zip(rewritten, predicates, strict=True):
        names = required_event_names(predicate)
        for column in rule.find_all(exp.Column):
            alias = column.name
            if alias not in shared:
                continue
            known = needs.get(alias, set())
            needs[alias] = None if names is None or known is None else known | names
    guarded = dict(shared)
    for alias, wanted_names in needs.items():
        expression = shared[alias]
        if wanted_names and expression.find(exp.JSONExtractScalar) is not None:
            wanted = exp.In(
                this=exp.Lower(this=exp.column("event_name")),
                expressions=[exp.Literal.string(n) for n in sorted(wanted_names)],
            )
            guarded[alias] = exp.Case(ifs=[exp.If(this=wanted, true=expression.copy())])
    return guarded


def _unwrap(node: exp.Expression) -> exp.Expression:
    """Strip parentheses and the null-safe ``COALESCE(…, FALSE)`` around a predicate."""
    while True:
        if isinstance(node, exp.Paren) or (
            isinstance(node, exp.Coalesce)
            and len(node.expressions) == 1
            and isinstance(node.expressions[0], exp.Boolean)
            and not node.expressions[0].this
        ):
            node = node.this
        else:
            return node


def _is_event_name(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Lower)
        and isinstance(node.this, exp.Column)
        and node.this.name == "event_name"
    )


def required_event_names(predicate: exp.Expression) -> frozenset[str] | None:
    """The lower-cased event names a predicate can only match, or None if it is not limited.

    Only a positive equality or IN on ``LOWER(event_name)`` in the top-level conjunction (or in
    every branch of a disjunction) counts, so the answer is always a safe superset.
    """
    node = _unwrap(predicate)
    if isinstance(node, exp.And):
        for side in (node.this, node.expression):
            names = required_event_names(side)
            if names is not None:
                return names
        return None
    if isinstance(node, exp.Or):
        left = required_event_names(node.this)
        right = required_event_names(node.expression)
        return None if left is None or right is None else left | right
    if isinstance(node, exp.EQ) and _is_event_name(node.this):
        literal = node.expression
        return frozenset({literal.name}) if isinstance(literal, exp.Literal) else None
    if isinstance(node, exp.In) and _is_event_name(node.this):
        values = node.expressions
        if values and all(isinstance(v, exp.Literal) for v in values):
            return frozenset(v.name for v in values)
    return None


def prefilter(predicates: Sequence[exp.Expression]) -> exp.Expr | None:
    """A cheap condition every matching event meets: most rules name their API calls.

    Rows that fail it skip the full rule list. None when no rule names its calls.
    """
    names: set[str] = set()
    unlimited: list[exp.Expression] = []
    for predicate in predicates:
        required = required_event_names(predicate)
        if required is None:
            unlimited.append(predicate)
        else:
            names |= required
    if not names:
        return None
    condition: exp.Expr = exp.In(
        this=exp.Lower(this=exp.column("event_name")),
        expressions=[exp.Literal.string(n) for n in sorted(names)],
    )
    for predicate in unlimited:
        condition = exp.or_(condition, _unwrap(predicate).copy(), copy=False)
    return condition


def _hit_list(predicates: Sequence[exp.Expression], indices: Sequence[int]) -> exp.Expression:
    """The indices among ``indices`` whose predicate holds, as an array."""
    hit_list = exp.Array(
        expressions=[
            exp.Case(ifs=[exp.If(this=_unwrap(predicates[i]).copy(), true=exp.Literal.number(i))])
            for i in indices
        ]
    )
    return exp.ArrayFilter(
        this=hit_list,
        expression=exp.Lambda(
            this=exp.column("x").is_(exp.null()).not_(), expressions=[exp.to_identifier("x")]
        ),
    )


UNLIMITED_HITS = "__unlimited_hits"  # the column of the hits among rules that name no call


def hit_lists(
    predicates: Sequence[exp.Expression],
    compiled: Sequence[exp.Expression],
    shared: dict[str, exp.Expression],
) -> tuple[exp.Expression, exp.Expression]:
    """The indices of the rules an event matches, evaluating only the rules its name allows.

    Most rules name the calls they match (``required_event_names``) and most events are calls
    no rule names, yet one list of every rule was built and filtered for every event. Here the
    rules that name no call are evaluated on every event, once (the first expression returned,
    to be selected as ``UNLIMITED_HITS`` below the second), and the others only on events of a
    name some rule lists (the second expression): every rule an event can match is still
    evaluated on it. (Finer buckets, by name or first letter, measured no faster: each bucket's
    test is one more pass over every event.)
    """
    required = [required_event_names(p) for p in compiled]
    unlimited = _hit_list(predicates, [i for i, names in enumerate(required) if names is None])
    named = sorted({n for names in required for n in names or ()})
    if not named:
        return unlimited, exp.column(UNLIMITED_HITS)
    lowered = next(
        (exp.column(a) for a, e in shared.items() if _is_event_name(e)),
        exp.Lower(this=exp.column("event_name")),
    )
    listed = exp.In(this=lowered, expressions=[exp.Literal.string(n) for n in named])
    limited = [i for i, names in enumerate(required) if names is not None]
    both = exp.ArrayConcat(
        this=exp.column(UNLIMITED_HITS), expressions=[_hit_list(predicates, limited)]
    )
    return unlimited, exp.Case(
        ifs=[exp.If(this=listed, true=both)], default=exp.column(UNLIMITED_HITS)
    )


def match_query(
    rules: Sequence[DetectionRule],
    relation: str,
    placeholders: Placeholders,
    where: exp.Expression | None = None,
    extra: Sequence[exp.Expression] = (),
) -> exp.Select:
    """One SELECT over ``relation`` returning matching events and the rule indices they hit."""
    compiled = rule_predicates(rules, placeholders)
    # With rules that name no call, the prefilter would evaluate them twice: once to keep the
    # event, once for its hits (below, where they are evaluated on every event once).
    cheap = prefilter(compiled) if all(required_event_names(p) for p in compiled) else None
    predicates, shared = hoist_shared(compiled)
    shared = guard_shared(shared, predicates, compiled)
    unlimited, hits = hit_lists(predicates, compiled, shared)
    candidates = exp.select("*").from_(relation)
    for condition in (where, cheap):
        if condition is not None:
            candidates = candidates.where(condition)
    events = exp.select("*", *[exp.alias_(e, a) for a, e in shared.items()]).from_(
        candidates.subquery("candidates")
    )
    events = exp.select("*", exp.alias_(unlimited, UNLIMITED_HITS)).from_(events.subquery("events"))
    generic = default_resource()
    resources = [
        exp.Coalesce(this=r.resource.copy(), expressions=[generic.copy()])
        if r.resource is not None
        else None
        for r in rules
    ]
    resource_columns = [exp.alias_(e, f"res_{i}") for i, e in enumerate(resources) if e is not None]
    group_columns = [
        exp.alias_(r.group.copy(), f"grp_{i}") for i, r in enumerate(rules) if r.group is not None
    ]
    outputs = [
        *[exp.column(c) for c in _BASE_COLUMNS],
        exp.alias_(generic, "resource"),
        exp.alias_(principal_expression(), "principal"),
        exp.alias_(session_expression(), "session"),
        *resource_columns,
        *group_columns,
        *[exp.alias_(e, f"extra_{i}") for i, e in enumerate(extra)],
    ]
    # Only the columns the output reads are kept beside ``hits``: materializing whole events
    # (their JSON documents) costs more than the rules themselves.
    scored = exp.select(*[exp.column(c) for c in _read_columns(outputs)], exp.alias_(hits, "hits"))
    scored = scored.from_(events.subquery("events"))
    return (
        exp.select(*outputs[: len(_BASE_COLUMNS) + 1], "hits", *outputs[len(_BASE_COLUMNS) + 1 :])
        .from_("scored")
        .where(
            exp.GT(this=exp.ArraySize(this=exp.column("hits")), expression=exp.Literal.number(0))
        )
        # Materialized: otherwise DuckDB evaluates the whole rule list again inside the filter.
        .with_("scored", as_=scored, materialized=True)
    )


def _read_columns(expressions: Sequence[exp.Expr]) -> list[str]:
    """The names of the relation's columns the expressions read (not their lambdas' variables),
    in first-use order."""
    names: dict[str, None] = {}
    for expression in expressions:
        bound = {v.name for lam in expression.find_all(exp.Lambda) for v in lam.expressions}
        for column in expression.find_all(exp.Column):
            if not column.table and column.name not in bound:
                names.setdefault(column.name, None)
    return list(names)


def _selected(
    ruleset: RuleSet, only: set[str] | None
) -> tuple[list[DetectionRule], list[CorrelationRule]]:
    """The rules a run evaluates: ``only`` those (and the rules their correlations need)."""
    correlations = [c for c in ruleset.correlations if only is None or c.id in only]
    wanted = set(only or ()) | {rid for c in correlations for rid in c.rule_ids}
    rules = [
        r
        for r in ruleset.rules
        if only is None or r.id in wanted or (r.name is not None and r.name in wanted)
    ]
    return rules, correlations


def _correlation_columns(
    correlations: Sequence[CorrelationRule],
) -> tuple[list[exp.Expression], list[tuple[list[str], str | None]]]:
    """The group-by (and counted) fields the correlations need beside each match, each computed
    once, and per correlation the ``extra_N`` columns holding its groups and its counted field."""
    extra: dict[str, exp.Expression] = {}

    def column(expression: exp.Expression) -> str:
        key = expression.sql()
        if key not in extra:
            extra[key] = expression.copy()
        return f"extra_{list(extra).index(key)}"

    layout: list[tuple[list[str], str | None]] = []
    for corr in correlations:
        groups = [column(g) for g in corr.group_by]
        value = column(corr.value_field) if corr.value_field is not None else None
        layout.append((groups, value))
    return list(extra.values()), layout


def one_scan_query(
    ruleset: RuleSet,
    relation: str,
    placeholders: Placeholders,
    where: exp.Expression | None = None,
    only: set[str] | None = None,
) -> exp.Select | None:
    """The dialect-neutral SELECT ``run_rules`` runs (None when no rule is selected)."""
    rules, correlations = _selected(ruleset, only)
    if not rules:
        return None
    return match_query(rules, relation, placeholders, where, _correlation_columns(correlations)[0])


def _fetch(backend: Backend, sql: str, params: Sequence[object]) -> pa.Table:
    """The query's result as an Arrow table: straight from a backend that can (DuckDB's), else
    built from its rows."""
    arrow = getattr(backend, "execute_arrow", None)
    if arrow is not None:
        table: pa.Table = arrow(sql, params)
        return table
    result = backend.execute(sql, params)
    columns = list(zip(*result.rows, strict=True)) if result.rows else [()] * len(result.columns)
    return pa.table({n: pa.array(list(c)) for n, c in zip(result.columns, columns, strict=True)})


def _explode(
    con: duckdb.DuckDBPyConnection,
    scan: pa.Table,
    rules: Sequence[DetectionRule],
    keep: Sequence[bool],
    table: str = "hits",
) -> None:
    """Create ``table`` on ``con``: one row per (event, rule hit) of the scan's result, with the
    rule's own resource and grouping key, ``keep`` marking the rules whose matches are returned
    (alerting, selected)."""
    meta = pa.table(
        {
            "idx": pa.array(range(len(rules)), pa.int32()),
            "rule_id": pa.array([r.id for r in rules], pa.string()),
            "rule_name": pa.array([r.name for r in rules], pa.string()),
            "keep": pa.array(keep, pa.bool_()),
        }
    )
    con.register("scan", scan)
    con.register("rule_meta", meta)
    names = set(scan.column_names)

    def per_rule(prefix: str, default: str) -> str:
        cases = [f"WHEN {i} THEN {prefix}{i}" for i in range(len(rules)) if f"{prefix}{i}" in names]
        # Generated from column indices only: no outside text reaches this SQL.
        return (
            f"CAST(CASE hit {' '.join(cases)} ELSE {default} END AS VARCHAR)"
            if cases
            else (f"CAST({default} AS VARCHAR)")
        )

    extras = ", ".join(f"m.{n}" for n in scan.column_names if n.startswith("extra_"))
    con.execute(
        f"CREATE TEMP TABLE {table} AS "
        "SELECT r.rule_id, m.event_id, CAST(m.event_time AS TIMESTAMPTZ) AS event_time, "
        "CAST(m.actor AS VARCHAR) AS actor, CAST(m.account AS VARCHAR) AS account, "
        "CAST(m.aws_region AS VARCHAR) AS region, "
        "CAST(m.source_ip_address AS VARCHAR) AS source_ip, "
        f"{per_rule('res_', 'resource')} AS resource, CAST(m.principal AS VARCHAR) AS principal, "
        f'CAST(m.session AS VARCHAR) AS session, {per_rule("grp_", "NULL")} AS "group", '
        f"r.rule_name, r.keep{', ' + extras if extras else ''} "
        "FROM (SELECT *, unnest(hits) AS hit FROM scan) AS m JOIN rule_meta AS r ON r.idx = m.hit"
    )
    con.unregister("scan")
    con.unregister("rule_meta")


def _note_seen(
    con: duckdb.DuckDBPyConnection, seen: dict[str, tuple[datetime, datetime]], table: str
) -> None:
    """Widen ``seen`` by the first and last event time of every rule (by ID and name) in
    ``table``."""
    spans = con.sql(
        "SELECT k, min(event_time), max(event_time) FROM (SELECT rule_id AS k, event_time "
        f"FROM {table} UNION ALL SELECT rule_name, event_time FROM {table} "
        "WHERE rule_name IS NOT NULL) GROUP BY k"
    ).fetchall()
    for key, first, last in spans:
        low, high = seen.get(key, (first, last))
        seen[key] = (min(low, first), max(high, last))


class OneScan:
    """One run of the rules over a relation, in parts: each part (``scan``) one scan of the
    events its parameters select (a day of the lake, say), the correlations (``correlate``) once
    over the hits of every part.

    A hunt over a million events in one scan held every match at once (gigabytes); scanned a
    day at a time, only a day's matches are held, and the hits the correlations read (those of
    the rules they reference, a few) are kept on the scan's own DuckDB connection until the
    end, so that a window across two parts is judged as in one scan.
    """

    def __init__(
        self,
        backend: Backend,
        relation: str,
        ruleset: RuleSet,
        placeholders: Placeholders,
        where: exp.Expression | None = None,
        only: set[str] | None = None,
    ) -> None:
        self.backend = backend
        self.rules, self.correlations = _selected(ruleset, only)
        self.extra, self.layout = _correlation_columns(self.correlations)
        # Signals are kept too: the alert store stores them, alerting only through thresholds.
        self.keep = [
            (r.generate or r.signal) and (only is None or r.id in only) for r in self.rules
        ]
        self.references = sorted({ref for c in self.correlations for ref in c.rule_ids})
        self.sql = self._sql(ruleset, relation, placeholders, where, only) if self.rules else ""
        self._con: duckdb.DuckDBPyConnection | None = None
        self._kept = False  # whether ``hits`` holds correlation inputs

    def _sql(
        self,
        ruleset: RuleSet,
        relation: str,
        placeholders: Placeholders,
        where: exp.Expression | None,
        only: set[str] | None,
    ) -> str:
        """The scan's SQL: from the rule set's caches (this process's, the data directory's),
        else built and kept there."""
        cache_key = (
            self.backend.dialect,
            relation,
            tuple(sorted((k, tuple(v)) for k, v in placeholders.items())),
            None if where is None else where.sql(),
            tuple(sorted(only or ())),
        )
        sql = ruleset.sql_cache.get(cache_key)
        if sql is None:
            entry = None
            if ruleset.cache is not None and ruleset.fingerprint:
                rule_ids = (tuple(r.id for r in self.rules), tuple(c.id for c in self.correlations))
                entry, sql = ruleset.cache.sql((ruleset.fingerprint, cache_key, rule_ids))
            if sql is None:
                query = match_query(self.rules, relation, placeholders, where, self.extra)
                sql = get_dialect(self.backend.dialect).generate(query)
                if entry is not None and ruleset.cache is not None:
                    ruleset.cache.store_sql(entry, sql)
            ruleset.sql_cache[cache_key] = sql
        return sql

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            self._con = duckdb.connect()
            self._con.execute("SET TimeZone = 'UTC'")
        return self._con

    def scan(
        self,
        params: Sequence[object] = (),
        seen: dict[str, tuple[datetime, datetime]] | None = None,
    ) -> MatchTable:
        """The single-event matches of one part (``params`` bind the ``where``'s ``?``); the
        hits of rules a correlation references are kept for ``correlate``. ``seen``, when
        given, receives the ID and name of every rule that matched, alerting or not, with its
        first and last event time."""
        if not self.rules:
            return MatchTable()
        scan = _fetch(self.backend, self.sql, params)
        if scan.num_rows == 0:
            return MatchTable()
        columns = ", ".join(f'"{c}"' for c in MATCH_COLUMNS)
        con = self._connection()
        try:
            _explode(con, scan, self.rules, self.keep, "part_hits")
            del scan
            if seen is not None:
                _note_seen(con, seen, "part_hits")
            found = con.sql(f"SELECT {columns} FROM part_hits WHERE keep").to_arrow_table()
            if self.references:
                # Only table names are formatted in; the references are bound.
                referenced = (
                    "SELECT * FROM part_hits WHERE list_contains($refs, rule_id) "
                    "OR list_contains($refs, rule_name)"
                )
                head = "INSERT INTO hits " if self._kept else "CREATE TEMP TABLE hits AS "
                con.execute(head + referenced, {"refs": self.references})
                self._kept = True
        finally:
            con.execute("DROP TABLE IF EXISTS part_hits")
        return MatchTable(found)

    def correlate(self) -> MatchTable:
        """The correlations' matches over the hits of every part scanned."""
        if not self._kept or self._con is None:
            return MatchTable()
        parts = []
        for corr, (groups, value) in zip(self.correlations, self.layout, strict=True):
            statement, bound = correlation_sql(corr, groups, value)
            found = self._con.sql(
                f"SELECT * FROM ({statement}) ORDER BY event_time, event_id", params=bound
            )
            parts.append(MatchTable(found.to_arrow_table()).table)
        return MatchTable(pa.concat_tables(parts)) if parts else MatchTable()

    def close(self) -> None:
        """Let go of the kept hits."""
        if self._con is not None:
            self._con.close()
            self._con = None
            self._kept = False

    def __enter__(self) -> OneScan:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def run_rules(
    backend: Backend,
    relation: str,
    ruleset: RuleSet,
    placeholders: Placeholders,
    where: exp.Expression | None = None,
    only: set[str] | None = None,
    params: Sequence[object] = (),
    seen: dict[str, tuple[datetime, datetime]] | None = None,
) -> MatchTable:
    """Evaluate every rule (and correlation) over ``relation`` in one scan; the matches.

    The query is rendered in the backend's dialect and run by it; its result stays an Arrow
    table, exploded to one row per rule hit in SQL, over which the correlations run in SQL too
    (``detect.correlation``): no Python object is built per match. ``where`` may hold ``?``
    placeholders bound from ``params``, which keeps the generated SQL (cached per shape and
    dialect) the same from one batch to the next. ``seen``, when given, receives the ID and
    name of every rule that matched, alerting or not, with its first and last event time.
    """
    with OneScan(backend, relation, ruleset, placeholders, where, only) as one:
        matches = one.scan(params, seen)
        correlated = one.correlate()
    return matches + correlated if len(correlated) else matches
