"""Fixtures of the detection tests."""

from __future__ import annotations

from detect_support import rule_pack_run

__all__ = ["rule_pack_run"]
