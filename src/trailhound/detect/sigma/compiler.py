"""Sigma detection → one sqlglot boolean expression over the ``cloudtrail`` columns.

Semantics follow the Sigma specification: strings match case-insensitively unless ``|cased``,
``*`` and ``?`` are wildcards, regular expressions are case-sensitive and unanchored unless their
flags say otherwise, and ``null`` means the field is absent. A field that is missing makes a
comparison unknown (SQL NULL); every ``not`` and the rule as a whole treat unknown as false
first, so ``not filter`` keeps an event that lacks the filter's field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaType,
    SpecialChars,
)
from sqlglot import exp

from trailhound.detect.base import Placeholders
from trailhound.detect.sigma.pipeline import field_expression
from trailhound.errors import DetectError
from trailhound.query.expressions import Wildcard, like_pattern

Part = str | SpecialChars
KEYWORD_FIELD = "raw"  # keywords search the whole original record
_COMPARE: dict[CompareOperators, Callable[..., exp.Expression]] = {
    CompareOperators.LT: exp.LT,
    CompareOperators.LTE: exp.LTE,
    CompareOperators.GT: exp.GT,
    CompareOperators.GTE: exp.GTE,
}
_REGEX_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}


def null_safe(expression: exp.Expression) -> exp.Expression:
    """``COALESCE(expression, FALSE)``: unknown (a missing field) counts as no match."""
    return exp.Coalesce(this=expression, expressions=[exp.false()])


def string_alternatives(value: SigmaString, placeholders: Placeholders) -> list[list[Part]]:
    """The value's parts, once per combination of placeholder values (none: no alternative)."""
    alternatives: list[list[Part]] = [[]]
    for part in value.s:
        if isinstance(part, Placeholder):
            values = list(placeholders.get(part.name, ()))
            alternatives = [[*a, v] for a in alternatives for v in values]
        else:
            alternatives = [[*a, part] for a in alternatives]
    return [_merge(a) for a in alternatives]


def _merge(parts: list[Part]) -> list[Part]:
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


_WILDCARDS = {SpecialChars.WILDCARD_MULTI: Wildcard.ANY, SpecialChars.WILDCARD_SINGLE: Wildcard.ONE}


def _like_parts(parts: Sequence[Part]) -> list[str | Wildcard]:
    """Sigma's wildcards as the query language's, so that both build LIKE patterns alike."""
    return [_WILDCARDS[p] if isinstance(p, SpecialChars) else str(p) for p in parts]


def match_parts(target: exp.Expression, parts: list[Part], cased: bool) -> exp.Expression:
    """A wildcard pattern against a text expression, using the cheapest function that fits."""
    if not cased:
        target = exp.Lower(this=target)
        parts = [p.lower() if isinstance(p, str) else p for p in parts]
    lead = 0
    while lead < len(parts) and parts[lead] is SpecialChars.WILDCARD_MULTI:
        lead += 1
    trail = len(parts)
    while trail > lead and parts[trail - 1] is SpecialChars.WILDCARD_MULTI:
        trail -= 1
    middle = parts[lead:trail]
    if not middle:
        return (
            target.is_(exp.null()).not_()
            if lead
            else exp.EQ(this=target, expression=exp.Literal.string(""))
        )
    if len(middle) == 1 and isinstance(middle[0], str):
        text = exp.Literal.string(middle[0])
        if lead and trail < len(parts):
            return exp.Contains(this=target, expression=text)
        if lead:
            return exp.EndsWith(this=target, expression=text)
        if trail < len(parts):
            return exp.StartsWith(this=target, expression=text)
        return exp.EQ(this=target, expression=text)
    pattern = like_pattern(_like_parts(parts))
    like = exp.Like(this=target, expression=exp.Literal.string(pattern))
    return exp.Escape(this=like, expression=exp.Literal.string("\\"))


def compile_value(
    target: exp.Expression, value: SigmaType, placeholders: Placeholders
) -> exp.Expression:
    """One ``field = value`` comparison."""
    if isinstance(value, SigmaExpansion):
        return _any([compile_value(target, v, placeholders) for v in value.values])
    if isinstance(value, SigmaNull):
        return target.is_(exp.null())
    if isinstance(value, SigmaExists):
        present = target.is_(exp.null()).not_()
        return present if value.exists else target.is_(exp.null())
    if isinstance(value, SigmaString):
        cased = isinstance(value, SigmaCasedString)
        return _any(
            [match_parts(target, p, cased) for p in string_alternatives(value, placeholders)]
        )
    if isinstance(value, SigmaBool):
        return exp.EQ(
            this=exp.Lower(this=target),
            expression=exp.Literal.string("true" if value.boolean else "false"),
        )
    if isinstance(value, SigmaNumber):
        return exp.EQ(this=target, expression=exp.Literal.string(str(value.number)))
    if isinstance(value, SigmaRegularExpression):
        flags = "".join(sorted(_REGEX_FLAGS[f] for f in value.flags if f in _REGEX_FLAGS))
        return exp.RegexpLike(
            this=target,
            expression=exp.Literal.string(value.to_plain()),
            flag=exp.Literal.string(flags) if flags else None,
        )
    if isinstance(value, SigmaCIDRExpression):
        prefixes = value.expand(wildcard="*")
        return _any(
            [
                match_parts(
                    target,
                    _merge([q for q in SigmaString(p).s if not isinstance(q, Placeholder)]),
                    True,
                )
                for p in prefixes
            ]
        )
    if isinstance(value, SigmaCompareExpression):
        number = exp.Literal.number(value.number.number)
        return _COMPARE[value.op](
            this=exp.TryCast(this=target, to=exp.DataType.build("DOUBLE")), expression=number
        )
    if isinstance(value, SigmaFieldReference):
        other = exp.Lower(this=field_expression(value.field))
        mine = exp.Lower(this=target)
        if value.starts_with and value.ends_with:
            return exp.Contains(this=mine, expression=other)
        if value.starts_with:
            return exp.StartsWith(this=mine, expression=other)
        if value.ends_with:
            return exp.EndsWith(this=mine, expression=other)
        return exp.EQ(this=mine, expression=other)
    raise DetectError(f"unsupported Sigma value type {type(value).__name__}")


def _any(terms: list[exp.Expression]) -> exp.Expression:
    if not terms:
        return exp.false()
    if len(terms) == 1:
        return terms[0]
    joined = cast(exp.Expression, exp.or_(*terms))
    return joined


def compile_condition(node: object, placeholders: Placeholders) -> exp.Expression:
    """A postprocessed pySigma condition tree → a boolean expression."""
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return compile_value(field_expression(node.field), node.value, placeholders)
    if isinstance(node, ConditionValueExpression):
        value = node.value
        if isinstance(value, SigmaString) and not value.startswith(SpecialChars.WILDCARD_MULTI):
            value = SpecialChars.WILDCARD_MULTI + value + SpecialChars.WILDCARD_MULTI
        return compile_value(exp.column(KEYWORD_FIELD), value, placeholders)
    if isinstance(node, ConditionNOT):
        return exp.Not(
            this=exp.Paren(this=null_safe(compile_condition(node.args[0], placeholders)))
        )
    if isinstance(node, (ConditionAND, ConditionOR)):
        terms = [exp.Paren(this=compile_condition(a, placeholders)) for a in node.args]
        joined = cast(
            exp.Expression,
            exp.and_(*terms) if isinstance(node, ConditionAND) else exp.or_(*terms),
        )
        return joined
    if isinstance(node, ConditionItem) and len(node.args) == 1:
        return compile_condition(node.args[0], placeholders)
    raise DetectError(f"unsupported condition element {type(node).__name__}")


def compile_sigma_rule(rule: SigmaRule, placeholders: Placeholders | None = None) -> exp.Expression:
    """The whole detection of a (pipeline-processed) Sigma rule, null-safe."""
    terms = [
        compile_condition(c.parsed, placeholders or {}) for c in rule.detection.parsed_condition
    ]
    return null_safe(_any([exp.Paren(this=t) for t in terms]))


def uses_placeholders(rule: SigmaRule) -> bool:
    """Whether any value of the rule holds an ``|expand`` placeholder."""
    for detection in rule.detection.detections.values():
        for item in _items(detection):
            for value in getattr(item, "value", ()):
                if isinstance(value, SigmaString) and any(
                    isinstance(p, Placeholder) for p in value.s
                ):
                    return True
    return False


def _items(detection: object) -> list[object]:
    found: list[object] = []
    for item in getattr(detection, "detection_items", []):
        if hasattr(item, "detection_items"):
            found += _items(item)
        else:
            found.append(item)
    return found
