"""The ingest progress: every file and its events are told once read, and the counts never fall."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import orjson

from tests.conftest import make_record, write_log
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor, Progress
from trailhound.normalize.batch import PROGRESS_GROUP_FILES
from trailhound.sources.files import FileSource
from trailhound.sources.stdin import StdinSource

Seen = tuple[int, int, int]  # files done, files expected, records


def _ingest(data_dir: DataDir, source: FileSource | StdinSource) -> tuple[list[Seen], int, int]:
    seen: list[Seen] = []

    def on_progress(p: Progress) -> None:
        seen.append((p.files_done, p.files_total, p.records))

    with Ingestor(data_dir, on_progress=on_progress) as ingestor:
        summary = ingestor.ingest(source)
    return seen, summary.files, summary.records


def _assert_per_file(seen: list[Seen], files: int, records: int) -> None:
    done = [s[0] for s in seen]
    counted = [s[2] for s in seen]
    assert done == sorted(done) and counted == sorted(counted)  # never backwards
    steps = [b - a for a, b in pairwise(done) if b != a]
    assert steps == [1] * (files - done[0]) and done[0] in (0, 1)  # one call per file
    assert done[-1] == files and counted[-1] == records
    assert all(s[0] <= s[1] for s in seen)  # never past the files expected


def test_every_file_and_its_events_move_the_progress(tmp_path: Path, data_dir: DataDir) -> None:
    count = 2 * PROGRESS_GROUP_FILES + 5  # several read groups in one batch
    per_file = {n: 1 + n % 4 for n in range(count)}
    for n, events in per_file.items():
        records = [make_record(n * 10 + i) for i in range(events)]
        write_log(tmp_path / "logs", records, name=f"{n:04d}")
    lines = tmp_path / "lines.jsonl"  # the careful reader's path
    lines.write_bytes(b"\n".join(orjson.dumps(make_record(5000 + i)) for i in range(3)))

    seen, files, records = _ingest(data_dir, FileSource([tmp_path / "logs", lines]))
    assert files == count + 1 and records == sum(per_file.values()) + 3
    _assert_per_file(seen, files, records)
    # The events arrive file by file, not all at the end of the batch.
    partial = {s[2] for s in seen if 0 < s[2] < records}
    assert len(partial) >= count // 2


def test_standard_input_counts_as_one_file(data_dir: DataDir) -> None:
    body = orjson.dumps({"Records": [make_record(n) for n in range(4)]})
    seen, files, records = _ingest(data_dir, StdinSource(data=body, source="stdin"))
    assert (files, records) == (1, 4)
    _assert_per_file(seen, files, records)
