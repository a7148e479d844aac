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


def test_bodies_waiting_together_are_one_commit_each_answered_with_its_own_counts(
    tmp_path: Path,
) -> None:
    source = PushSource()
    bodies = {
        "a": log_file(records(0, 4)),  # 4 new
        "b": log_file(records(2, 4)),  # 2 seen in a, 2 new
        "c": log_file([*records(10, 1), {"eventName": "NoTimeNoId"}]),  # 1 new, 1 bad
        "d": b"\x1f\x8b not gzip",  # unreadable: quarantined whole
    }
    futures = {name: source.submit(Blob(name, body)) for name, body in bodies.items()}
    taken: list[int] = []
    batches = source.batches

    def counting(context):  # type: ignore[no-untyped-def]
        for batch in batches(context):
            taken.append(len(batch.blobs))
            yield batch

    source.batches = counting  # type: ignore[method-assign]
    stop = threading.Event()
    with Ingestor(DataDir(tmp_path / "data")) as ingestor:
        loop = threading.Thread(target=ingestor.ingest, args=(source,), kwargs={"stop": stop})
        loop.start()
        outcomes = {name: f.result(timeout=120).summary for name, f in futures.items()}
        stop.set()
        loop.join(timeout=60)
    assert taken == [4]  # the four waiting bodies: one batch
    a, b, c, d = (outcomes[n] for n in "abcd")
    assert (a.records, b.records, c.records) == (4, 4, 2)
    assert a.events_written + b.events_written == 6 and a.duplicates + b.duplicates == 2
    assert (c.events_written, c.duplicates, c.quarantined) == (1, 0, 1)
    assert d.events_written == 0 and d.quarantined >= 1
    assert all(not o.objects for o in outcomes.values())


def test_a_full_queue_refuses_by_bytes_as_well_as_by_count() -> None:
    source = PushSource(max_waiting=10, max_waiting_bytes=100)
    source.submit(Blob("big", b"x" * 80))
    with pytest.raises(PushBusy):
        source.submit(Blob("more", b"y" * 40), timeout=0.05)
    source.submit(Blob("small", b"z" * 10), timeout=0.05)  # still fits
    assert source.waiting() == 2
    source.close()


def test_bodies_of_the_same_name_are_each_answered(running: tuple[PushSource, Ingestor]) -> None:
    source, _ = running
    futures = [source.submit(Blob("same", log_file(records(n, 2)))) for n in range(3)]
    outcomes = [f.result(timeout=120).summary for f in futures]
    assert [o.records for o in outcomes] == [2, 2, 2]
    assert sum(o.events_written for o in outcomes) == 4  # 0-1, 1-2, 2-3: four distinct
