"""The pipe query language: ``dataset = cloudtrail | filter … | comp count() by …`` → SQL."""

from __future__ import annotations

from trailhound.query.compiler import CompiledQuery, compile_condition, compile_query

__all__ = ["CompiledQuery", "compile_condition", "compile_query"]
