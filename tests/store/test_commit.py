"""Committing a batch: the file ledger is asked again under the lock; nothing is recorded twice."""

from __future__ import annotations

import doctest
from pathlib import Path

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.model import SourceFile
from trailhound.sources.files import discover
from trailhound.store import commit
from trailhound.store.engine import QueryEngine


def test_doctests() -> None:
    result = doctest.testmod(commit)
    assert result.attempted > 0 and result.failed == 0


def _quarantine(data_dir: DataDir) -> list[tuple[str, int | None, str]]:
    with QueryEngine(data_dir) as engine:
        rows = engine.execute("SELECT source, position, reason FROM quarantine ORDER BY ALL")[1]
    return [(str(s), p, str(r)) for s, p, r in rows]


def test_a_file_stored_since_it_was_found_is_not_recorded_again(
    tmp_path: Path, data_dir: DataDir
) -> None:
    logs = tmp_path / "logs"
    write_log(logs, [make_record(1), make_record(2, eventTime=None)], name="fast")
    write_log(logs, [make_record(3), {"eventName": "x"}], name="careful", kind="Export")
    (logs / "broken.json").write_bytes(b'{"Records": [')
    found = [f for f in discover([logs]) if isinstance(f, SourceFile)]
    with Ingestor(data_dir) as ingestor:
        first = ingestor.ingest_files(found)
    quarantined = _quarantine(data_dir)
    assert (first.files, first.events_written, first.quarantined) == (3, 2, 3)
    assert len(quarantined) == 3
    # Another ingest that found the same files before the first stored them commits after it:
    # the ledger, asked again under the lock, says they are stored.
    with Ingestor(data_dir) as ingestor:
        second = ingestor.ingest_files(found)
    assert second.files_skipped["already ingested"] == 3
    assert (second.files, second.records, second.events_written, second.duplicates) == (0, 0, 0, 0)
    assert second.quarantined == 0
    assert _quarantine(data_dir) == quarantined
    # A file that changed since is a new file: read again.
    changed = write_log(logs, [make_record(1), make_record(4)], name="fast")
    again = [f for f in discover([changed]) if isinstance(f, SourceFile)]
    with Ingestor(data_dir) as ingestor:
        third = ingestor.ingest_files(again)
    assert (third.files, third.events_written, third.duplicates) == (1, 1, 1)
