"""THE decompressor: gzip (concatenated members too) with a size limit, and its streaming hash.

CloudTrail delivers gzip files; ``aws s3 sync`` and people hand over plain ones, and some tools
concatenate gzip members. Every reader goes through here:

- :func:`decompress` gunzips bytes held in memory for the careful reader and the digest parser,
  never past ``max_bytes`` of output (a gzip bomb costs the limit, not the machine's memory) and
  reporting damage (corrupt or truncated streams, trailing bytes) with what could be read;
- :func:`file_sha256` hashes a file's uncompressed content while reading it in chunks, as
  CloudTrail's digests list it (the completeness ledger compares the two).

Data that does not start with gzip's magic bytes is taken as it is.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from trailhound.errors import SourceError
from trailhound.model import QuarantineEntry

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024
_NOT_SPACE = re.compile(rb"[^ \t\r\n\f\v]")


class CompressionError(SourceError):
    """A compressed file is damaged or larger than allowed once uncompressed."""


def _excerpt(data: bytes) -> str:
    return data[:240].decode("utf-8", errors="replace")


def decompress(
    data: bytes, source: str, max_bytes: int, *, separator: bytes = b"\n"
) -> tuple[bytes, QuarantineEntry | None]:
    """Gunzip ``data`` up to ``max_bytes``; returns what was read and the damage, if any.

    Concatenated members are joined by ``separator``: a newline by default, because each member
    is a document of its own (read as JSON lines). Trailing whitespace is ignored.

    >>> import gzip
    >>> decompress(gzip.compress(b"a") + gzip.compress(b"b"), "f", 10)
    (b'a\\nb', None)
    >>> decompress(gzip.compress(b"x" * 100), "f", 10)[1].reason
    'object larger than the size limit of 10 bytes'
    """
    out: list[bytes] = []
    total = 0
    remaining = data
    while remaining.startswith(GZIP_MAGIC):
        inflater = zlib.decompressobj(wbits=31)
        try:
            chunk = inflater.decompress(remaining, max_bytes - total + 1)
        except zlib.error as error:
            return b"".join(out), QuarantineEntry(
                source, total, f"corrupt gzip: {error}", _excerpt(b"".join(out)[-240:])
            )
        if out and separator:
            out.append(separator)
        out.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            return b"", QuarantineEntry(
                source, None, f"object larger than the size limit of {max_bytes} bytes"
            )
        if not inflater.eof:
            return b"".join(out), QuarantineEntry(
                source, total, "truncated gzip: the stream ends before its end marker"
            )
        remaining = inflater.unused_data
    if _NOT_SPACE.search(remaining):
        if out:
            return b"".join(out), QuarantineEntry(
                source, total, "trailing bytes after the gzip stream", _excerpt(remaining)
            )
        return remaining, None
    return b"".join(out), None


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(_CHUNK):
        yield chunk


def _inflate(chunks: Iterator[bytes], first: bytes) -> Iterator[bytes]:
    """The uncompressed content of gzip members read chunk by chunk, members back to back.

    At most ``_CHUNK`` bytes come out per step, so a gzip bomb never sits in memory whole.
    """
    inflater = zlib.decompressobj(wbits=31)
    pending = first
    while True:
        try:
            out = inflater.decompress(pending, _CHUNK)
        except zlib.error as error:
            raise CompressionError(f"corrupt gzip: {error}") from error
        pending = inflater.unconsumed_tail
        if out:
            yield out
        if inflater.eof:
            rest = inflater.unused_data  # (unconsumed_tail may repeat it: not added)
            while len(rest) < len(GZIP_MAGIC) and (more := next(chunks, b"")):
                rest += more
            if rest.startswith(GZIP_MAGIC):  # the next member
                inflater, pending = zlib.decompressobj(wbits=31), rest
                continue
            # The end: nothing more, or the zero padding gzip allows.
            if rest.strip(b"\0") or any(chunk.strip(b"\0") for chunk in chunks):
                raise CompressionError("trailing bytes after the gzip stream")
            return
        if not pending and not out:  # zlib holds no more output: feed it
            pending = next(chunks, b"")
            if not pending:
                raise CompressionError("truncated gzip: the stream ends before its end marker")


def file_sha256(path: Path, max_bytes: int | None = None) -> str:
    """Hex SHA-256 of a file's uncompressed content (of the file itself when not gzip).

    Raises CompressionError when the gzip is damaged or its content passes ``max_bytes``.
    """
    digest = hashlib.sha256()
    total = 0
    with path.open("rb") as handle:
        chunks = _chunks(handle)
        first = next(chunks, b"")
        gzipped = first.startswith(GZIP_MAGIC)
        content = _inflate(chunks, first) if gzipped else itertools.chain((first,), chunks)
        for piece in content:
            total += len(piece)
            if max_bytes is not None and total > max_bytes:
                raise CompressionError(f"more than {max_bytes} bytes once uncompressed")
            digest.update(piece)
    return digest.hexdigest()
