"""Standard input as a source: one blob, read no further than one byte past the limit."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from trailhound.model import InputFormat
from trailhound.sources.base import SourceContext
from trailhound.sources.stdin import StdinSource


def _context(tmp_path: Path, limit: int) -> SourceContext:
    return SourceContext(
        known_files=lambda uris: {},
        tmp_dir=tmp_path,
        stop=threading.Event(),
        max_object_bytes=limit,
    )


def test_a_stream_is_read_once_up_to_one_byte_past_the_limit(tmp_path: Path) -> None:
    stream = io.BytesIO(b"x" * 100)
    [batch] = list(StdinSource(stream).batches(_context(tmp_path, 10)))
    [blob] = batch.blobs
    assert (blob.name, blob.data, blob.format) == ("<stdin>", b"x" * 11, InputFormat.UNKNOWN)
    assert batch.files == ()
    assert stream.read() == b"x" * 89  # the rest is left unread


def test_bytes_handed_over_keep_their_name_and_format(tmp_path: Path) -> None:
    source = StdinSource(data=b"{}", source="push-1", fmt=InputFormat.JSON_LINES, account_hint="1")
    [batch] = list(source.batches(_context(tmp_path, 10)))
    assert batch.blobs[0].name == "push-1" and batch.blobs[0].account_hint == "1"
    assert batch.blobs[0].format is InputFormat.JSON_LINES
