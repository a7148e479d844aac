"""Compiled rules and their scan SQL, cached in the data directory between processes.

Loading the rules parses every file with pySigma and compiles it to sqlglot (2 CPU-seconds for
the pack and SigmaHQ's rules), and the one-scan SELECT built from them takes another second to
assemble and render: every ``detect``, every ``ingest`` paid both before its first event. The
cache keeps both under ``<data dir>/cache/rules`` (the newest ``MAX_ENTRIES``; safe to delete):

- the loaded rule set, as JSON (sqlglot's own serialization for expressions: never pickle, the
  data directory is data, not code), keyed by a fingerprint of every rule file's path and bytes,
  which formats are registered, and the versions of trailhound, pySigma and sqlglot: any change
  to a rule or to the compiler is a new key, and an old entry is simply never read again;
- each scan SQL text, keyed by that fingerprint and everything the SQL depends on (rules
  selected, placeholders, relation, filter, dialect).

A rule whose values hold placeholders (``%org_accounts%``) is re-compiled when its SQL is not
cached; its file is then loaded again, on demand.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
from sqlglot import exp
from sqlglot.serde import dump, load

import trailhound
from trailhound.detect.base import (
    CorrelationRule,
    DetectionRule,
    Placeholders,
    RuleProblem,
    RuleSet,
)

CACHE_FORMAT = 1  # bump when the encoding below changes
_MAX_ENTRY_BYTES = 64 * 1024 * 1024  # a larger file is not ours: ignored
MAX_ENTRIES = 64  # the folder keeps the newest entries; older ones go on the next write


def _versions() -> list[str]:
    found = [trailhound.__version__ if hasattr(trailhound, "__version__") else "?"]
    for package in ("trailhound", "pysigma", "sqlglot"):
        try:
            found.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            found.append("?")
    return found


def fingerprint(files: Sequence[tuple[Path, bool]], formats: Sequence[str]) -> str:
    """The key of a rule set: every file's path, built-in flag and content, the registered
    formats and the compiler's versions."""
    digest = hashlib.sha256(orjson.dumps([CACHE_FORMAT, _versions(), list(formats)]))
    for path, builtin in files:
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\0unreadable"
        digest.update(orjson.dumps([str(path), builtin, hashlib.sha256(content).hexdigest()]))
    return digest.hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, exp.Expression):
        return {"$expr": dump(value)}
    if isinstance(value, timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[k, _encode(v)] for k, v in value.items()]}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "$expr" in value:
            return load(value["$expr"])
        if "$td" in value:
            return timedelta(seconds=value["$td"])
        if "$tuple" in value:
            return tuple(_decode(v) for v in value["$tuple"])
        if "$dict" in value:
            return {k: _decode(v) for k, v in value["$dict"]}
    return value


_SKIPPED = ("recompile", "source")


def _fields(item: DetectionRule | CorrelationRule) -> dict[str, Any]:
    return {
        f.name: _encode(getattr(item, f.name))
        for f in dataclasses.fields(item)
        if f.name not in _SKIPPED
    }


def encode(ruleset: RuleSet) -> bytes:
    """A rule set as JSON (``source`` is never kept; ``recompile`` is re-made on load)."""
    return orjson.dumps(
        {
            "rules": [
                _fields(r) | {"$placeholders": r.recompile is not None} for r in ruleset.rules
            ],
            "correlations": [_fields(c) for c in ruleset.correlations],
            "problems": [[p.path, p.line, p.reason] for p in ruleset.problems],
        }
    )


def decode(data: bytes, reload: Callable[[str], RuleSet]) -> RuleSet:
    """The rule set ``encode`` wrote; ``reload(path)`` loads one file again, for a rule whose
    placeholders must be re-compiled."""
    raw = orjson.loads(data)
    rules = []
    for fields in raw["rules"]:
        placeholders = fields.pop("$placeholders")
        rule = DetectionRule(**{k: _decode(v) for k, v in fields.items()})
        if placeholders:
            rule.recompile = _lazy_recompile(rule.path, rule.id, reload)
        rules.append(rule)
    correlations = [
        CorrelationRule(**{k: _decode(v) for k, v in f.items()}) for f in raw["correlations"]
    ]
    problems = [RuleProblem(p, line, reason) for p, line, reason in raw["problems"]]
    return RuleSet(rules=rules, correlations=correlations, problems=problems)


def _lazy_recompile(
    path: str, rule_id: str, reload: Callable[[str], RuleSet]
) -> Callable[[Placeholders], exp.Expression]:
    """A ``recompile`` that loads the rule's file on first use."""
    loaded: list[Callable[[Placeholders], exp.Expression]] = []

    def recompile(values: Placeholders) -> exp.Expression:
        if not loaded:
            rule = next(r for r in reload(path).rules if r.id == rule_id)
            if rule.recompile is None:
                raise LookupError(f"{path}: rule {rule_id} no longer uses placeholders")
            loaded.append(rule.recompile)
        return loaded[0](values)

    return recompile


class RuleCache:
    """The cache folder of one data directory (created on first write, mode 0700)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _read(self, name: str) -> bytes | None:
        path = self.folder / name
        try:
            if path.stat().st_size > _MAX_ENTRY_BYTES:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def _write(self, name: str, data: bytes) -> None:
        """Write atomically (a reader sees the whole entry or none); a failure only costs the
        next run the work again."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(self.folder / name)
            entries = sorted(
                (p for p in self.folder.iterdir() if not p.name.startswith(".")),
                key=lambda p: p.stat().st_mtime,
            )
            for old in entries[:-MAX_ENTRIES]:
                old.unlink(missing_ok=True)
        except OSError:
            return

    def ruleset(self, key: str, reload: Callable[[str], RuleSet]) -> RuleSet | None:
        """The rule set stored under ``key``, or None."""
        data = self._read(f"rules-{key}.json")
        if data is None:
            return None
        try:
            return decode(data, reload)
        except (ValueError, KeyError, TypeError):
            return None  # damaged or of another version: loaded again and rewritten

    def store_ruleset(self, key: str, ruleset: RuleSet) -> None:
        """Keep a rule set under ``key``."""
        self._write(f"rules-{key}.json", encode(ruleset))

    def sql(self, parts: Iterable[object]) -> tuple[str, str | None]:
        """The entry name of a scan SQL built from ``parts``, and its text if stored."""
        name = "sql-" + hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:40] + ".sql"
        data = self._read(name)
        return name, None if data is None else data.decode("utf-8", errors="replace")

    def store_sql(self, name: str, sql: str) -> None:
        """Keep a scan SQL text."""
        self._write(name, sql.encode("utf-8"))
