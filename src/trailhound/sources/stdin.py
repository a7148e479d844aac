"""Standard input (or any object held in memory) as a source: one blob, read whole."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import BinaryIO, ClassVar

from trailhound.model import BatchOutcome, Blob, InputFormat, RawBatch
from trailhound.sources.base import SourceContext

STDIN_NAME = "<stdin>"


class StdinSource:
    """One object: read from a stream (standard input by default) or handed over as bytes.

    At most one byte past the size limit is read: the careful reader then quarantines the object
    as too large instead of holding all of it.
    """

    name: ClassVar[str] = "stdin"
    continuous: ClassVar[bool] = False

    def __init__(
        self,
        stream: BinaryIO | None = None,
        *,
        data: bytes | None = None,
        source: str = STDIN_NAME,
        fmt: InputFormat = InputFormat.UNKNOWN,
        account_hint: str | None = None,
    ) -> None:
        self.stream = stream
        self.data = data
        self.source = source
        self.format = fmt
        self.account_hint = account_hint

    def batches(self, context: SourceContext) -> Iterator[RawBatch]:
        """One batch of one blob."""
        data = self.data
        if data is None:
            stream = self.stream if self.stream is not None else sys.stdin.buffer
            data = stream.read(context.max_object_bytes + 1)
        yield RawBatch(blobs=(Blob(self.source, data, self.format, self.account_hint),))

    def acknowledge(self, batch: RawBatch, outcome: BatchOutcome) -> None:
        """Nothing to do: a stream cannot be read again."""

    def close(self) -> None:
        """The stream belongs to the caller."""
