"""The pipe query language: ``dataset = cloudtrail | filter … | comp count() by …`` → SQL."""

from __future__ import annotations

from trailhound.query.compiler import CompiledQuery, compile_condition, compile_query
from trailhound.query.durations import parse_duration

__all__ = ["CompiledQuery", "compile_condition", "compile_query", "parse_duration"]
