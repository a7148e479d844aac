"""THE LIKE-pattern builder, shared by the query language and Sigma rules."""

from __future__ import annotations

import pytest

from trailhound.detect.sigma import compiler as sigma_compiler
from trailhound.query.expressions import Wildcard, like_pattern, starred


@pytest.mark.parametrize(
    ("parts", "pattern"),
    [
        (["a", Wildcard.ANY, "b"], "a%b"),
        (["50%", Wildcard.ONE], "50\\%_"),
        (["snake_case\\path"], "snake\\_case\\\\path"),
        ([Wildcard.ANY, Wildcard.ANY], "%%"),
        ([], ""),
    ],
)
def test_text_is_escaped_and_wildcards_are_not(parts: list[str | Wildcard], pattern: str) -> None:
    assert like_pattern(parts) == pattern


def test_query_strings_mark_their_wildcards_by_offset() -> None:
    assert starred("a*b*", (1,)) == ["a", Wildcard.ANY, "b*"]
    assert like_pattern(starred("x_y", ()), contains=True) == "%x\\_y%"
    assert starred("*", (0, 5)) == ["", Wildcard.ANY, ""]  # offsets past the end mean nothing


def test_sigma_rules_build_patterns_with_the_same_function() -> None:
    assert sigma_compiler.like_pattern is like_pattern
