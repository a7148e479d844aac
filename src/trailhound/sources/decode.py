"""Decode the bytes of any CloudTrail input into raw records, in Python.

This is the careful path: it reads every shape CloudTrail data comes in (S3 log files, JSON
lines, JSON arrays, ``lookup-events`` output, CloudTrail Lake query results, a single record),
salvages what it can from damaged input, and reports everything else as quarantine entries with
a position and a reason. It never raises on bad input. The fast path for well-formed S3 log
files lives in DuckDB (see ``trailhound.ingest``); files it cannot read come here.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from typing import Any

import orjson

from trailhound.model import InputFormat, QuarantineEntry, RawRecord

GZIP_MAGIC = b"\x1f\x8b"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_RECORD_KEYS = frozenset({"eventName", "eventTime", "eventVersion", "eventSource", "eventID"})

Decoded = RawRecord | QuarantineEntry


def _excerpt(data: bytes) -> str:
    return data[:240].decode("utf-8", errors="replace")


def decompress(data: bytes, source: str, max_bytes: int) -> tuple[bytes, QuarantineEntry | None]:
    """Gunzip ``data`` (concatenated members too) up to ``max_bytes``; damage is reported."""
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
        if out:
            out.append(b"\n")  # members are separate documents: read them as lines
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
    if remaining.strip():
        if out:
            return b"".join(out), QuarantineEntry(
                source, total, "trailing bytes after the gzip stream", _excerpt(remaining)
            )
        return remaining, None
    return b"".join(out), None


def _records_from_document(doc: Any, source: str) -> Iterator[Decoded]:
    """Records from a parsed JSON document of any known shape."""
    if isinstance(doc, list):
        for index, item in enumerate(doc):
            yield RawRecord(source, index, orjson.dumps(item))
        return
    if not isinstance(doc, dict):
        yield QuarantineEntry(
            source, 0, "document is not a JSON object or array", _excerpt(orjson.dumps(doc))
        )
        return
    if "Records" in doc:
        records = doc["Records"]
        if not isinstance(records, list):
            yield QuarantineEntry(source, None, "'Records' is not a JSON array")
            return
        for index, item in enumerate(records):
            yield RawRecord(source, index, orjson.dumps(item))
        return
    if "Events" in doc and isinstance(doc["Events"], list):  # aws cloudtrail lookup-events
        for index, event in enumerate(doc["Events"]):
            text = event.get("CloudTrailEvent") if isinstance(event, dict) else None
            if isinstance(text, str):
                yield RawRecord(source, index, text.encode())
            else:
                yield QuarantineEntry(
                    source,
                    index,
                    "lookup-events entry without a CloudTrailEvent string",
                    _excerpt(orjson.dumps(event)),
                )
        return
    if "QueryResultRows" in doc and isinstance(doc["QueryResultRows"], list):  # CloudTrail Lake
        for index, row in enumerate(doc["QueryResultRows"]):
            yield _lake_row(row, source, index)
        return
    if _RECORD_KEYS & doc.keys() or _RECORD_KEYS & {k.lower() for k in doc}:
        yield RawRecord(source, 0, orjson.dumps(doc))
        return
    yield QuarantineEntry(
        source, None, "JSON object of no known CloudTrail shape", _excerpt(orjson.dumps(doc))
    )


def _lake_row(row: Any, source: str, index: int) -> Decoded:
    """One CloudTrail Lake result row: a list of one-key objects, or one object."""
    merged: dict[str, Any] = {}
    if isinstance(row, dict):
        merged = row
    elif isinstance(row, list) and all(isinstance(cell, dict) for cell in row):
        for cell in row:
            merged.update(cell)
    else:
        return QuarantineEntry(
            source,
            index,
            "CloudTrail Lake row is not a list of objects",
            _excerpt(orjson.dumps(row)),
        )
    # Lake exports nest JSON parts as strings; parse those back so the record looks like the log.
    for key, value in list(merged.items()):
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(orjson.JSONDecodeError):
                merged[key] = orjson.loads(value)
    return RawRecord(source, index, orjson.dumps(merged))


def _json_lines(text: bytes, source: str) -> Iterator[Decoded]:
    """One record per line; a line that does not parse is quarantined with its line number."""
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            item = orjson.loads(stripped)
        except orjson.JSONDecodeError as error:
            yield QuarantineEntry(source, number, f"invalid JSON: {error}", _excerpt(stripped))
            continue
        if isinstance(item, dict) and ("Records" in item or "Events" in item):
            yield from _records_from_document(item, f"{source}:{number}")
        else:
            yield RawRecord(source, number, stripped)


def decode_bytes(
    data: bytes,
    source: str,
    fmt: InputFormat = InputFormat.UNKNOWN,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Decoded]:
    """Every record in ``data``; whatever cannot be read is yielded as a quarantine entry.

    >>> [r.index for r in decode_bytes(b'{"Records": [{"eventName": "A"}]}', "f")]
    [0]
    """
    if len(data) > max_bytes:
        yield QuarantineEntry(
            source, None, f"object larger than the size limit of {max_bytes} bytes"
        )
        return
    text, damage = decompress(data, source, max_bytes)
    if damage is not None and not text:
        yield damage
        return
    text = text.removeprefix(b"\xef\xbb\xbf")
    head = text.lstrip()[:1]
    if not head:
        if damage is None:
            yield QuarantineEntry(source, None, "empty file")
        else:
            yield damage
        return
    if fmt is InputFormat.JSON_LINES:
        yield from _json_lines(text, source)
    else:
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            if head == b"{" and b"\n" in text.strip():
                yield from _json_lines(text, source)  # JSON lines, perhaps with bad lines
            else:
                yield QuarantineEntry(
                    source,
                    error.pos,
                    f"invalid JSON: {error}",
                    _excerpt(text[max(0, error.pos - 40) :]),
                )
        else:
            yield from _records_from_document(doc, source)
    if damage is not None:
        yield damage
