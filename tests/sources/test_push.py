"""The push source on the one ingest loop: each pushed body answered with its own counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.api.conftest import log_file, records
from trailhound.data_dir import DataDir
from trailhound.ingest import Ingestor
from trailhound.model import Blob
from trailhound.sources.base import SOURCES
from trailhound.sources.push import PushBusy, PushClosed, PushSource


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[PushSource, Ingestor]]:
    """A push source fed to an ingest loop in a thread."""
    source = PushSource(max_waiting=4)
    stop = threading.Event()
    with Ingestor(DataDir(tmp_path / "data")) as ingestor:
        loop = threading.Thread(target=ingestor.ingest, args=(source,), kwargs={"stop": stop})
        loop.start()
        yield source, ingestor
        stop.set()
        loop.join(timeout=60)
        source.close()
    assert not loop.is_alive()


def test_push_is_a_registered_continuous_source() -> None:
    assert SOURCES.get("push") is PushSource and PushSource.continuous


def test_each_push_is_answered_with_its_own_counts(
    running: tuple[PushSource, Ingestor],
) -> None:
    source, _ = running
    bodies = [log_file(records(n * 5, 5 + n)) for n in range(4)]
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(
            pool.map(lambda b: source.submit(Blob(f"p{len(b)}", b)).result(timeout=120), bodies)
        )
    # Pushes overlap by one event each with the next; the answer says each one's own part.
    assert sum(o.summary.events_written for o in outcomes) == 23
    assert sum(o.summary.records for o in outcomes) == sum(5 + n for n in range(4))
    assert all(not o.failed for o in outcomes)


def test_closing_fails_what_waits_and_refuses_new_pushes() -> None:
    source = PushSource(max_waiting=1)
    waiting = source.submit(Blob("a", b"{}"))
    with pytest.raises(PushBusy):
        source.submit(Blob("b", b"{}"), timeout=0.05)
    source.close()
    with pytest.raises(PushClosed):
        waiting.result(timeout=1)
    with pytest.raises(PushClosed):
        source.submit(Blob("c", b"{}"))
