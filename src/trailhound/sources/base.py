"""The extension point of the first stage: a source of raw records, and its registry.

A **source** (files on disk, standard input, an SQS queue of S3 notifications, next the HTTP push
endpoint) yields :class:`~trailhound.model.RawBatch` es. The one ingest loop
(:mod:`trailhound.ingest`) pulls them, normalizes and stores them, records every file in the
ledgers, runs detection, and then tells the source what became of each batch
(:meth:`Source.acknowledge`): only then may a queue delete its messages.

A source needs nothing from the later stages. What it must ask or tell the store goes through
the :class:`SourceContext` the loop lends it: which files the ledger already holds, where to put
temporary files, when to stop, and a :class:`SourceStatus` for the state, counters and poison
objects of a source that has them (an integration). Sources are registered in ``SOURCES`` by
name, the built-ins exactly as a third party would be: an entry point in the group
``trailhound.sources`` (see ``pyproject.toml``).

>>> from collections.abc import Iterator
>>> from typing import ClassVar
>>> from trailhound.model import Blob, RawBatch, BatchOutcome
>>> class Greetings:
...     name: ClassVar[str] = "greetings"
...     continuous: ClassVar[bool] = False
...     def batches(self, context: SourceContext) -> Iterator[RawBatch]:
...         yield RawBatch(blobs=(Blob("hello", b'{"eventName": "Hello"}'),))
...     def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
...         pass
...     def close(self) -> None:
...         pass
>>> sources: Registry[type[Source]] = Registry("source", group=None)  # SOURCES, in real life
>>> sources.register(Greetings).name  # and ``Ingestor.ingest(Greetings())`` reads it
'greetings'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, NamedTuple, Protocol

from trailhound.model import BatchOutcome, RawBatch, SourceFile
from trailhound.registry import Registry

DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024
DEFAULT_BATCH_BYTES = 8 * 1024 * 1024
DEFAULT_BATCH_FILES = 400


class PoisonRecord(NamedTuple):
    """An object (or message) given up on: what, from which message, after how many tries, why."""

    uri: str
    message_id: str
    receive_count: int
    reason: str


@dataclass(frozen=True, slots=True)
class Activity:
    """Counters a source adds to after a batch (an integration shows them)."""

    messages: int = 0
    objects: int = 0
    events: int = 0
    errors: int = 0
    poison: int = 0
    last_message_at: datetime | None = None


class SourceStatus(Protocol):
    """Where a source with a stored state (an integration) reads and reports it.

    The loop's caller hands one in (``store.integrations`` keeps it in the state database);
    a source without a state gets :data:`UNTRACKED`.
    """

    def state(self) -> str:
        """The stored state: ``enabled``, ``paused``, ``error``, ``disconnected``…"""
        ...

    def set_state(self, state: str, error: str | None = None) -> None:
        """Move to ``state``; ``error`` is kept as the last error."""
        ...

    def record_activity(self, activity: Activity) -> None:
        """Add to the counters."""
        ...

    def record_poison(self, records: Sequence[PoisonRecord]) -> None:
        """Record objects given up on, with why."""
        ...


class Untracked:
    """The status of a source that keeps none: always enabled, reports go nowhere."""

    def state(self) -> str:
        """Always ``enabled``."""
        return "enabled"

    def set_state(self, state: str, error: str | None = None) -> None:
        """Nothing to keep."""

    def record_activity(self, activity: Activity) -> None:
        """Nothing to keep."""

    def record_poison(self, records: Sequence[PoisonRecord]) -> None:
        """Nothing to keep."""


UNTRACKED = Untracked()


def _ignore(count: int) -> None:
    """Progress nobody follows."""


def _drop_digest(path: Path) -> None:
    """A digest file nobody keeps."""


@dataclass(frozen=True)
class SourceContext:
    """What the ingest loop lends a source for one ingest call."""

    # uri → (size, mtime) of those of the given files the ingest ledger already holds
    known_files: Callable[[Sequence[str]], Mapping[str, tuple[int, float]]]
    tmp_dir: Path  # private scratch space inside the data directory
    stop: threading.Event  # set when the caller wants the source to end (SIGTERM)
    status: SourceStatus = UNTRACKED
    max_object_bytes: int = DEFAULT_MAX_OBJECT_BYTES  # larger objects are quarantined unread
    batch_bytes: int = DEFAULT_BATCH_BYTES  # compressed bytes of files per batch, roughly
    batch_files: int = DEFAULT_BATCH_FILES  # files per batch at most
    expect_files: Callable[[int], None] = _ignore  # announce files to come, for progress
    # a local digest file met beside the logs: the loop keeps a copy for the ledger
    keep_digest: Callable[[Path], None] = _drop_digest


class Source(Protocol):
    """Something raw records come from."""

    name: ClassVar[str]  # "files", "stdin", "sqs", …
    # True for a source that runs until stopped (a queue, a push endpoint): the loop then runs
    # the once-per-call work (correlations, compaction) after every batch, and reports a failure
    # of the store to the source in the outcome, to be retried, instead of raising it.
    continuous: ClassVar[bool]

    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        """The batches to ingest, pulled one at a time (the next while the last is stored)."""
        ...

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        """Told once a batch is stored (or what of it failed): delete, retry or report."""
        ...

    def close(self) -> None:
        """Release what the source holds; give back batches never acknowledged."""
        ...


def in_batches(
    files: Sequence[SourceFile], max_bytes: int, max_files: int
) -> Iterator[list[SourceFile]]:
    """``files`` in consecutive runs of at most ``max_files`` and about ``max_bytes`` each.

    >>> from trailhound.model import InputFormat
    >>> f = [SourceFile(str(n), Path(str(n)), 5, 0.0, InputFormat.UNKNOWN) for n in range(5)]
    >>> [len(run) for run in in_batches(f, 10, 400)]
    [2, 2, 1]
    """
    run: list[SourceFile] = []
    size = 0
    for source in files:
        if run and (size + source.size > max_bytes or len(run) >= max_files):
            yield run
            run, size = [], 0
        run.append(source)
        size += source.size
    if run:
        yield run


SOURCES: Registry[type[Source]] = Registry("source", group="trailhound.sources")
# The built-ins, by the same names and targets as their entry points, for a checkout whose
# distribution metadata is older than this file.
SOURCES.register_lazy("files", "trailhound.sources.files:FileSource")
SOURCES.register_lazy("stdin", "trailhound.sources.stdin:StdinSource")
SOURCES.register_lazy("sqs", "trailhound.sources.aws.sqs:SqsSource")
SOURCES.register_lazy("push", "trailhound.sources.push:PushSource")
