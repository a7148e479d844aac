"""Load Sigma rule files (rules, collections, correlations) and compile them, collecting problems.

Every problem is recorded with the file, a line and the reason, and loading carries on with the
next rule: one bad rule never stops the others. ``SigmaFormat`` is the built-in rule format,
registered in ``RULE_FORMATS`` as ``sigma`` like any other.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationCondition, SigmaCorrelationRule
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sqlglot import exp

from trailhound.detect.base import (
    CorrelationRule,
    DetectionRule,
    Placeholders,
    RuleProblem,
    RuleSet,
    split_tags,
)
from trailhound.detect.grouping import group_expression, needs_scan
from trailhound.detect.sigma.compiler import compile_sigma_rule, uses_placeholders
from trailhound.detect.sigma.pipeline import field_expression
from trailhound.durations import DurationError, parse_duration
from trailhound.errors import DetectError
from trailhound.model import DEFAULT_GROUP_BY, DEFAULT_SUPPRESSION

_TOKEN = re.compile(r"'([^']+)'")


def _suppression(value: object) -> timedelta:
    """A rule's ``suppression`` (``6h``, or seconds), by THE duration parser; a day if unset."""
    if value is None:
        return DEFAULT_SUPPRESSION
    if not isinstance(value, (str, int)):
        raise DetectError(f"invalid suppression {value!r}: use e.g. 30d, 12h, 15m")
    try:
        return parse_duration(value)
    except DurationError as error:
        raise DetectError(f"invalid suppression: {error.message}") from error


SIGNAL_TAG = "trailhound.signal"  # a Sigma tag that makes a rule a signal


def _group_by(value: object, default: tuple[str, ...] = DEFAULT_GROUP_BY) -> tuple[str, ...]:
    """A rule's ``group_by``: a field name or a list of them; the default when unset."""
    if value is None:
        return default
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise DetectError(f"invalid group_by {value!r}: use a field name or a list of them")
    return tuple(names)


def _threshold(value: object) -> int:
    """A rule's ``threshold``: matching events within the period before an alert (1: each)."""
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DetectError(f"invalid threshold {value!r}: use a whole number of events, 1 or more")
    return value


def _signal(custom: dict[str, Any], tags: list[str]) -> bool:
    """Whether a rule is a signal: ``signal: true`` or the ``trailhound.signal`` tag."""
    value = custom.get("signal", False)
    if not isinstance(value, bool):
        raise DetectError(f"invalid signal {value!r}: use true or false")
    return value or SIGNAL_TAG in tags


def _document_lines(text: str) -> list[int]:
    """The 1-based line where each YAML document of the file starts (after ``---`` markers)."""
    starts = [1]
    for number, line in enumerate(text.splitlines(), 1):
        if line.rstrip() == "---" and number > 1:
            starts.append(number + 1)
    return starts


# libyaml's loader where the wheel has it: rule packs load several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_of(text: str, start: int, error: Exception) -> int:
    """Best guess at the line an error is about: a quoted token it names, else the document."""
    lines = text.splitlines()
    for token in _TOKEN.findall(str(error)):
        for number, line in enumerate(lines[start - 1 :], start):
            if token in line:
                return number
    for key in ("condition:", "detection:"):
        if "condition" in str(error).lower() or "detection" in str(error).lower():
            for number, line in enumerate(lines[start - 1 :], start):
                if line.strip().startswith(key):
                    return number
    return start


def _yaml_problem_line(error: Exception) -> int | None:
    mark = getattr(error, "problem_mark", None)
    return None if mark is None else int(mark.line) + 1


class SigmaFormat:
    """Sigma rules in YAML, mapped onto the CloudTrail schema."""

    name: ClassVar[str] = "sigma"
    suffixes: ClassVar[tuple[str, ...]] = (".yml", ".yaml")

    def __init__(self, *, keep_source: bool = False) -> None:
        self.keep_source = keep_source

    def load_file(self, path: Path, *, builtin: bool = False) -> RuleSet:
        """Load and compile every rule in one file, collecting problems."""
        result = RuleSet()
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
            documents = [d for d in yaml.load_all(text, Loader=_LOADER) if d is not None]
            collection = SigmaCollection.from_dicts(
                documents, collect_errors=True, resolve_references=False
            )
        except (OSError, yaml.YAMLError, SigmaError, ValueError) as error:
            result.problems.append(RuleProblem(where, _yaml_problem_line(error), str(error)))
            return result
        starts = _document_lines(text)
        start_of = {id(r): starts[min(i, len(starts) - 1)] for i, r in enumerate(collection.rules)}
        for problem in collection.errors:
            result.problems.append(RuleProblem(where, _line_of(text, 1, problem), str(problem)))
        for rule in collection.rules:
            start = start_of[id(rule)]
            if rule.errors:
                for problem in rule.errors:
                    result.problems.append(
                        RuleProblem(where, _line_of(text, start, problem), _reason(problem))
                    )
                continue
            try:
                if isinstance(rule, SigmaCorrelationRule):
                    result.correlations.append(self._correlation(rule, where, start, builtin))
                else:
                    result.rules.append(self._rule(rule, where, start, builtin))
            except (SigmaError, DetectError, ValueError, KeyError) as error:
                result.problems.append(
                    RuleProblem(where, _line_of(text, start, error), _reason(error))
                )
        return result

    def _rule(self, rule: SigmaRule, path: str, line: int, builtin: bool) -> DetectionRule:
        source = rule if self.keep_source else None  # no pipeline rewrites its field names
        predicate = compile_sigma_rule(rule)
        custom = rule.custom_attributes
        tags = [str(t) for t in rule.tags]
        tactics, techniques = split_tags(tags)
        recompile = None
        if uses_placeholders(rule):

            def recompile(values: Placeholders, rule: SigmaRule = rule) -> exp.Expression:
                return compile_sigma_rule(rule, values)

        resource = _resource(custom.get("resource"))
        group_by = _group_by(custom.get("group_by"))
        group = (
            group_expression(group_by, resource, field_expression) if needs_scan(group_by) else None
        )
        return DetectionRule(
            id=str(rule.id or rule.name or Path(path).stem),
            title=rule.title,
            level=str(rule.level or "medium").lower(),
            predicate=predicate,
            path=path,
            line=line,
            description=rule.description or "",
            investigation=str(custom.get("investigation", "")).strip(),
            tactics=tactics,
            techniques=techniques,
            builtin=builtin,
            generate=rule._output,
            name=rule.name,
            resource=resource,
            suppression=_suppression(custom.get("suppression", custom.get("dedup_period"))),
            tests=_tests(custom.get("tests")),
            alert_group_by=group_by,
            group=group,
            threshold=_threshold(custom.get("threshold")),
            signal=_signal(custom, tags),
            recompile=recompile,
            source=source,
        )

    def _correlation(
        self, rule: SigmaCorrelationRule, path: str, line: int, builtin: bool
    ) -> CorrelationRule:
        custom = rule.custom_attributes
        tags = [str(t) for t in rule.tags]
        tactics, techniques = split_tags(tags)
        condition = rule.condition
        fieldref = getattr(condition, "fieldref", None)
        if isinstance(fieldref, list):
            fieldref = fieldref[0] if fieldref else None
        group_by = tuple(rule.group_by or ())
        return CorrelationRule(
            id=str(rule.id or rule.name or Path(path).stem),
            title=rule.title,
            level=str(rule.level or "medium").lower(),
            kind=str(rule.type).lower(),
            rule_ids=tuple(r.reference for r in rule.rules or ()),
            group_by=tuple(field_expression(g) for g in group_by),
            group_by_names=group_by,
            timespan=timedelta(seconds=rule.timespan.seconds),
            operator=condition.op.name.lower()
            if isinstance(condition, SigmaCorrelationCondition)
            else "gte",
            count=int(getattr(condition, "count", 1)),
            path=path,
            line=line,
            value_field=None if fieldref is None else field_expression(fieldref),
            generate=bool(rule.generate),
            description=rule.description or "",
            investigation=str(custom.get("investigation", "")).strip(),
            tactics=tactics,
            techniques=techniques,
            builtin=builtin,
            suppression=_suppression(custom.get("suppression", custom.get("dedup_period"))),
            tests=_tests(custom.get("tests")),
            # A correlation's alert is about its own group (the matches' ``resource``).
            alert_group_by=_group_by(custom.get("alert_group_by"), ("resource",)),
            threshold=_threshold(custom.get("threshold")),
            signal=_signal(custom, tags),
        )


def _reason(error: Exception) -> str:
    text = str(error)
    return text.split(" in /")[0] if isinstance(error, SigmaError) else text


def _resource(name: object) -> exp.Expression | None:
    if not name:
        return None
    names = name if isinstance(name, list) else [name]
    expressions = [field_expression(str(n)) for n in names]
    return (
        expressions[0]
        if len(expressions) == 1
        else exp.Coalesce(this=expressions[0], expressions=expressions[1:])
    )


def _tests(value: object) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(value, dict):
        return {}
    return {
        key: [e for e in value.get(key) or [] if isinstance(e, dict)]
        for key in ("match", "no_match")
    }
