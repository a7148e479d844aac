"""A deterministic, realistic CloudTrail data set for demos, tests and benchmarks."""

from __future__ import annotations

from trailhound_demo.clients import TOR_EXIT_ADDRESSES
from trailhound_demo.generator import DemoSummary, generate_demo

__all__ = ["TOR_EXIT_ADDRESSES", "DemoSummary", "generate_demo"]
