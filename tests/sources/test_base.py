"""The source extension point: the registry of built-ins, batching, the untracked status."""

from __future__ import annotations

import doctest
import threading
from pathlib import Path

from trailhound.model import InputFormat, SourceFile
from trailhound.sources import base
from trailhound.sources.aws.sqs import SqsSource
from trailhound.sources.base import SOURCES, UNTRACKED, Activity, SourceContext, in_batches
from trailhound.sources.files import FileSource
from trailhound.sources.stdin import StdinSource


def test_doctests() -> None:
    result = doctest.testmod(base)
    assert result.attempted > 0 and result.failed == 0


def test_the_built_ins_are_registered_by_name() -> None:
    assert {"files", "stdin", "sqs"} <= set(SOURCES.names())
    assert SOURCES.get("files") is FileSource
    assert SOURCES.get("stdin") is StdinSource
    assert SOURCES.get("sqs") is SqsSource
    assert [SOURCES.get(n).continuous for n in ("files", "stdin", "sqs")] == [False, False, True]


def test_batches_keep_order_and_limits() -> None:
    files = [SourceFile(str(n), Path(str(n)), n, 0.0, InputFormat.UNKNOWN) for n in range(1, 11)]
    runs = list(in_batches(files, 12, 3))
    assert [f for run in runs for f in run] == files
    assert all(len(run) <= 3 for run in runs)
    assert all(sum(f.size for f in run) <= 12 or len(run) == 1 for run in runs)
    assert list(in_batches([], 12, 3)) == []
    big = [SourceFile("big", Path("big"), 100, 0.0, InputFormat.UNKNOWN)]
    assert list(in_batches(big, 12, 3)) == [big]  # a file larger than a batch goes alone


def test_an_untracked_source_is_always_enabled() -> None:
    UNTRACKED.set_state("paused", "ignored")
    UNTRACKED.record_activity(Activity(messages=1))
    UNTRACKED.record_poison([])
    assert UNTRACKED.state() == "enabled"


def test_a_file_source_announces_skips_and_stops(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    announced: list[int] = []
    stop = threading.Event()
    context = SourceContext(
        known_files=lambda uris: {
            str(tmp_path / "a.json"): (2, (tmp_path / "a.json").stat().st_mtime)
        },
        tmp_dir=tmp_path,
        stop=stop,
        batch_files=1,
        expect_files=announced.append,
    )
    batches = list(FileSource([tmp_path]).batches(context))
    assert announced == [1]
    assert [[f.path.name for f in b.files] for b in batches] == [["b.json"]]
    assert batches[0].skipped == {"already ingested": 1, "not a log file": 1}
    stop.set()
    assert list(FileSource([tmp_path / "b.json"]).batches(context)) == []
