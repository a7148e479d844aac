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

from sqlglot import exp

import trailhound
from trailhound.detect.base import (
    RULE_FORMATS,
    CorrelationRule,
    DetectionRule,
    Placeholders,
    RuleSet,
)
from trailhound.detect.correlation import correlate
from trailhound.model import Match
from trailhound.query.dialects import get_dialect
from trailhound.query.scope import json_extract

if TYPE_CHECKING:
    from trailhound.store.base import Backend

BUILTIN_RULES = Path(trailhound.__file__).parent / "rules"
# Where the "main resource" of an event usually is, for the suppression key.
_RESOURCE_KEYS = (
    "bucketName",
    "userName",
    "roleName",
    "policyArn",
    "groupName",
    "name",
    "trailName",
    "detectorId",
    "keyId",
    "secretId",
    "functionName",
    "instanceId",
    "groupId",
    "snapshotId",
    "imageId",
    "dBSnapshotIdentifier",
    "dBInstanceIdentifier",
    "flowLogIds",
    "accessKeyId",
)
_BASE_COLUMNS = ("event_id", "event_time", "actor", "account", "aws_region", "source_ip_address")


def load_rules(
    extra_dirs: Iterable[Path] = (), *, builtin: bool = True, keep_source: bool = False
) -> RuleSet:
    """The built-in pack plus every rule file under ``extra_dirs``, with load problems.

    A file is read by the first registered rule format (in name order) that claims its suffix.
    """
    formats = [RULE_FORMATS.get(name)(keep_source=keep_source) for name in RULE_FORMATS.names()]
    result = RuleSet()
    sources = [(BUILTIN_RULES, True)] if builtin else []
    sources += [(Path(d), False) for d in extra_dirs]
    for folder, is_builtin in sources:
        files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
        for file in files:
            for candidate in formats:
                if file.suffix in candidate.suffixes:
                    result.extend(candidate.load_file(file, builtin=is_builtin))
                    break
    silenced = {ref for c in result.correlations if not c.generate for ref in c.rule_ids}
    for rule in result.rules:
        if rule.id in silenced or (rule.name is not None and rule.name in silenced):
            rule.generate = False
    return result


def default_resource() -> exp.Expression:
    """The first of the usual resource parameters of a request, else the first resource ARN."""
    terms: list[exp.Expression] = [
        json_extract(exp.column("request_parameters"), f"$.{k}") for k in _RESOURCE_KEYS
    ]
    terms.append(json_extract(exp.column("resources"), "$[0].ARN"))
    return exp.Coalesce(this=terms[0], expressions=terms[1:])


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
            key = node.sql()
            if key not in shared:
                shared[key] = (f"__shared_{len(shared)}", node.copy())
            return exp.column(shared[key][0])
        return node

    rewritten = [p.copy().transform(hoist) for p in predicates]
    return rewritten, {alias: expression for alias, expression in shared.values()}


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
        condition = exp.or_(condition, predicate.copy())
    return condition


def match_query(
    rules: Sequence[DetectionRule],
    relation: str,
    placeholders: Placeholders,
    where: exp.Expression | None = None,
    extra: Sequence[exp.Expression] = (),
) -> exp.Select:
    """One SELECT over ``relation`` returning matching events and the rule indices they hit."""
    compiled = rule_predicates(rules, placeholders)
    cheap = prefilter(compiled)
    predicates, shared = hoist_shared(compiled)
    hit_list = exp.Array(
        expressions=[
            exp.Case(ifs=[exp.If(this=p, true=exp.Literal.number(i))])
            for i, p in enumerate(predicates)
        ]
    )
    hits = exp.ArrayFilter(
        this=hit_list,
        expression=exp.Lambda(
            this=exp.column("x").is_(exp.null()).not_(), expressions=[exp.to_identifier("x")]
        ),
    )
    candidates = exp.select("*").from_(relation)
    for condition in (where, cheap):
        if condition is not None:
            candidates = candidates.where(condition)
    events = exp.select("*", *[exp.alias_(e, a) for a, e in shared.items()]).from_(
        candidates.subquery("candidates")
    )
    scored = exp.select("*", exp.alias_(hits, "hits")).from_(events.subquery("events"))
    generic = default_resource()
    resources = [
        exp.Coalesce(this=r.resource.copy(), expressions=[generic.copy()])
        if r.resource is not None
        else None
        for r in rules
    ]
    resource_columns = [exp.alias_(e, f"res_{i}") for i, e in enumerate(resources) if e is not None]
    return (
        exp.select(
            *_BASE_COLUMNS,
            exp.alias_(generic, "resource"),
            "hits",
            *resource_columns,
            *[exp.alias_(e, f"extra_{i}") for i, e in enumerate(extra)],
        )
        .from_("scored")
        .where(
            exp.GT(this=exp.ArraySize(this=exp.column("hits")), expression=exp.Literal.number(0))
        )
        # Materialized: otherwise DuckDB evaluates the whole rule list again inside the filter.
        .with_("scored", as_=scored, materialized=True)
    )


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


def _correlation_columns(correlations: Sequence[CorrelationRule]) -> list[exp.Expression]:
    """The group-by (and counted) fields every correlation needs beside each match."""
    extra: list[exp.Expression] = []
    for corr in correlations:
        extra += [g.copy() for g in corr.group_by]
        if corr.value_field is not None:
            extra.append(corr.value_field.copy())
    return extra


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
    return match_query(rules, relation, placeholders, where, _correlation_columns(correlations))


def run_rules(
    backend: Backend,
    relation: str,
    ruleset: RuleSet,
    placeholders: Placeholders,
    where: exp.Expression | None = None,
    only: set[str] | None = None,
    params: Sequence[object] = (),
    seen: dict[str, tuple[datetime, datetime]] | None = None,
) -> list[Match]:
    """Evaluate every rule (and correlation) over ``relation`` in one scan; the matches.

    The query is rendered in the backend's dialect and run by it. ``where`` may hold ``?``
    placeholders bound from ``params``, which keeps the generated SQL (cached per shape and
    dialect) the same from one batch to the next. ``seen``, when given, receives the ID and name
    of every rule that matched, alerting or not, with its first and last event time.
    """
    rules, correlations = _selected(ruleset, only)
    if not rules:
        return []
    cache_key = (
        backend.dialect,
        relation,
        tuple(sorted((k, tuple(v)) for k, v in placeholders.items())),
        None if where is None else where.sql(),
        tuple(sorted(only or ())),
    )
    sql = ruleset.sql_cache.get(cache_key)
    if sql is None:
        query = match_query(
            rules, relation, placeholders, where, _correlation_columns(correlations)
        )
        sql = get_dialect(backend.dialect).generate(query)
        ruleset.sql_cache[cache_key] = sql
    result = backend.execute(sql, params)
    names = result.columns
    rows = result.rows
    res_index = {int(n[4:]): names.index(n) for n in names if n.startswith("res_")}
    extra_at = names.index("extra_0") if "extra_0" in names else len(names)
    matches: list[Match] = []
    per_rule: dict[str, list[tuple[Match, tuple[object, ...]]]] = {}
    for row in rows:
        event_id, event_time, actor, account, region, ip, resource, hit = row[:8]
        for index in hit:
            rule = rules[index]
            res = row[res_index[index]] if index in res_index else resource
            match = Match(
                rule.id,
                event_id,
                event_time,
                actor,
                account,
                region,
                ip,
                None if res is None else str(res),
            )
            if rule.generate and (only is None or rule.id in only):
                matches.append(match)
            per_rule.setdefault(rule.id, []).append((match, tuple(row[extra_at:])))
            if seen is not None:
                for key in (rule.id, rule.name):
                    if key:
                        first, last = seen.get(key, (event_time, event_time))
                        seen[key] = (min(first, event_time), max(last, event_time))
            if rule.name:
                per_rule.setdefault(rule.name, []).append((match, tuple(row[extra_at:])))
    offset = 0
    for corr in correlations:
        width = len(corr.group_by) + (1 if corr.value_field is not None else 0)
        matches += correlate(corr, per_rule, offset)
        offset += width
    return matches
