"""A plain-Python evaluation of a Sigma detection over raw CloudTrail records.

It shares nothing with the SQL compiler but pySigma's parse, so tests can check that the SQL a
rule compiles to selects exactly the records this reference says it should. It is the tests'
oracle, not part of the product.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import orjson
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

_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: re.IGNORECASE,
    SigmaRegularExpressionFlag.MULTILINE: re.MULTILINE,
    SigmaRegularExpressionFlag.DOTALL: re.DOTALL,
}


def field_value(record: dict[str, object], name: str) -> object:
    """The value a Sigma field names in a raw CloudTrail record."""
    if name.lower() == "status":
        return "success" if record.get("errorCode") is None else "failure"
    node: object = record
    for part in name.split("."):
        if not isinstance(node, dict):
            return None
        if part in node:
            node = node[part]
            continue
        lowered = {str(k).lower(): v for k, v in node.items()}
        node = lowered.get(part.lower())
    return node


def as_text(value: object) -> str | None:
    """A field value as the SQL side sees it: JSON text for objects, ``true``/``false``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def _pattern(value: SigmaString, placeholders: Mapping[str, Sequence[str]]) -> list[str]:
    alternatives = [""]
    for part in value.s:
        if isinstance(part, Placeholder):
            alternatives = [
                a + re.escape(v) for a in alternatives for v in placeholders.get(part.name, ())
            ]
        elif part is SpecialChars.WILDCARD_MULTI:
            alternatives = [a + ".*" for a in alternatives]
        elif part is SpecialChars.WILDCARD_SINGLE:
            alternatives = [a + "." for a in alternatives]
        else:
            alternatives = [a + re.escape(str(part)) for a in alternatives]
    return alternatives


def match_value(
    record: dict[str, Any],
    text: str | None,
    value: SigmaType,
    placeholders: Mapping[str, Sequence[str]],
) -> bool:
    """Whether one field's text satisfies one Sigma value."""
    if isinstance(value, SigmaExpansion):
        return any(match_value(record, text, v, placeholders) for v in value.values)
    if isinstance(value, SigmaNull):
        return text is None
    if isinstance(value, SigmaExists):
        return (text is not None) == value.exists
    if text is None:
        return False
    if isinstance(value, SigmaString):
        flags = 0 if isinstance(value, SigmaCasedString) else re.IGNORECASE
        return any(re.fullmatch(p, text, flags | re.DOTALL) for p in _pattern(value, placeholders))
    if isinstance(value, SigmaBool):
        return text.lower() == ("true" if value.boolean else "false")
    if isinstance(value, SigmaNumber):
        return text == str(value.number)
    if isinstance(value, SigmaRegularExpression):
        flags = 0
        for flag in value.flags:
            flags |= _FLAGS.get(flag, 0)
        return re.search(value.to_plain(), text, flags) is not None
    if isinstance(value, SigmaCIDRExpression):
        try:
            return ipaddress.ip_address(text) in value.network
        except ValueError:
            return False
    if isinstance(value, SigmaCompareExpression):
        try:
            number = float(text)
        except ValueError:
            return False
        target = float(value.number.number)
        return {
            CompareOperators.LT: number < target,
            CompareOperators.LTE: number <= target,
            CompareOperators.GT: number > target,
            CompareOperators.GTE: number >= target,
        }[value.op]
    if isinstance(value, SigmaFieldReference):
        other = as_text(field_value(record, value.field))
        if other is None:
            return False
        mine, other = text.lower(), other.lower()
        if value.starts_with and value.ends_with:
            return other in mine
        if value.starts_with:
            return mine.startswith(other)
        if value.ends_with:
            return mine.endswith(other)
        return mine == other
    raise TypeError(f"unsupported value {type(value).__name__}")


def evaluate_node(
    record: dict[str, Any], node: object, placeholders: Mapping[str, Sequence[str]]
) -> bool:
    """A pySigma condition tree over one record."""
    if isinstance(node, ConditionFieldEqualsValueExpression):
        text = as_text(field_value(record, node.field))
        return match_value(record, text, node.value, placeholders)
    if isinstance(node, ConditionValueExpression):
        raw = orjson.dumps(record).decode()
        value = node.value
        if isinstance(value, SigmaString):
            return any(
                re.search(p, raw, re.IGNORECASE | re.DOTALL) for p in _pattern(value, placeholders)
            )
        return match_value(record, raw, value, placeholders)
    if isinstance(node, ConditionNOT):
        return not evaluate_node(record, node.args[0], placeholders)
    if isinstance(node, ConditionAND):
        return all(evaluate_node(record, a, placeholders) for a in node.args)
    if isinstance(node, ConditionOR):
        return any(evaluate_node(record, a, placeholders) for a in node.args)
    if isinstance(node, ConditionItem) and len(node.args) == 1:
        return evaluate_node(record, node.args[0], placeholders)
    raise TypeError(f"unsupported condition {type(node).__name__}")


def parsed_once(rule: Any) -> Any:
    """The rule as ``evaluate_rule`` reads it, each condition parsed once.

    pySigma parses a condition again (deep copies included) on every access to ``parsed``, which
    made evaluating many records grow with rules times records.
    """
    conditions = [SimpleNamespace(parsed=c.parsed) for c in rule.detection.parsed_condition]
    return SimpleNamespace(detection=SimpleNamespace(parsed_condition=conditions))


def evaluate_rule(
    rule: SigmaRule, record: dict[str, Any], placeholders: Mapping[str, Sequence[str]] | None = None
) -> bool:
    """Whether a (not pipeline-processed) Sigma rule matches a raw CloudTrail record."""
    return any(
        evaluate_node(record, c.parsed, placeholders or {}) for c in rule.detection.parsed_condition
    )
