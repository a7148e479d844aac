"""The JSON-lines file output: one line per alert created or grown, appended.

Each line is the alert's stored columns (times in ISO 8601, UTC) and ``change``: ``new`` for an
alert that did not exist before, ``updated`` for one that grew; a log shipper (or ``jq``) reads
the file as it grows. The file lives inside the data directory: a relative path is taken from
there, and a path that leads outside it (``..``, an absolute path elsewhere, a symbolic link) is
refused, so that alerting never writes where the data directory's owner did not mean it to.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import orjson

from trailhound.data_dir import DataDir
from trailhound.errors import IncidentError

_HIDDEN = frozenset({"dedup_key", "comments"})  # bookkeeping, not part of an alert's record


def alert_line(alert: Mapping[str, Any]) -> bytes:
    """One alert as a JSON line."""
    change = "new" if alert.get("created_at") == alert.get("updated_at") else "updated"
    record = {"change": change, **{k: v for k, v in alert.items() if k not in _HIDDEN}}
    return orjson.dumps(record, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC) + b"\n"


def inside(data_dir: DataDir, target: str) -> Path:
    """Where ``target`` (relative to the data directory) is; IncidentError if outside it."""
    if not target.strip():
        raise IncidentError("give the output file's path")
    root = data_dir.root.resolve()
    path = Path(target).expanduser()
    resolved = (path if path.is_absolute() else root / path).resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise IncidentError(
            f"{target}: an alert file must be inside the data directory {root} "
            "(give a path relative to it)"
        )
    if resolved.is_dir():
        raise IncidentError(f"{target}: is a folder")
    return resolved


class JsonLinesOutput:
    """Appends alerts to a JSON-lines file inside the data directory."""

    name: ClassVar[str] = "jsonl"

    def __init__(self, target: str, *, data_dir: DataDir) -> None:
        self.path = inside(data_dir, target)

    def send(self, alerts: Sequence[Mapping[str, Any]]) -> None:
        """Append one line per alert, in one write."""
        if not alerts:
            return
        body = b"".join(alert_line(a) for a in alerts)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_APPEND: a reader never sees a line half written by two writers interleaving;
        # O_NOFOLLOW: a link planted since the path was checked is not followed out.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        handle = os.open(self.path, flags, 0o600)
        try:
            view = memoryview(body)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
