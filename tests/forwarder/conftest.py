"""The forwarder's tests use the collector tests' moto server (on 127.0.0.1)."""

from __future__ import annotations

from tests.sources.conftest import aws, moto_endpoint

__all__ = ["aws", "moto_endpoint"]
