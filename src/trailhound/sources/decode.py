"""Decode the bytes of any CloudTrail input into raw records, in Python.

This is the careful path: it reads every shape CloudTrail data comes in (S3 log files, JSON
lines, JSON arrays, ``lookup-events`` output, CloudTrail Lake query results, a single record),
salvages what it can from damaged input, and reports everything else as quarantine entries with
a position and a reason. It never raises on bad input. The fast path for well-formed S3 log
files lives in DuckDB (see ``trailhound.ingest``); files it cannot read come here.

A document is parsed whole by orjson when it holds few enough nested values for that to be safe
(``WHOLE_PARSE_VALUES``); one that does not parse, or is larger, is read element by element by
``sources.json_scan``, which salvages every record that parses around a bad byte or a truncated
tail. One object yields at most ``RecordLimits.max_records`` records; the rest is one
quarantine entry.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import orjson

from trailhound.model import DEFAULT_LIMITS, InputFormat, QuarantineEntry, RawRecord, RecordLimits
from trailhound.sources.compression import decompress
from trailhound.sources.json_scan import (
    BudgetExhausted,
    ScanBudget,
    find_record_array,
    scan_array,
)

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Objects and arrays in a document parsed whole into Python objects; above it (a CloudTrail file
# holds about 15 per record) the document is read element by element, so ``[{},{},…]`` costs
# one element at a time, not millions of objects at once.
WHOLE_PARSE_VALUES = 2_000_000
# Structural characters the element scanner may step over per record allowed in an object.
SCAN_STEPS_PER_RECORD = 64
_RECORD_KEYS = frozenset({"eventName", "eventTime", "eventVersion", "eventSource", "eventID"})
_RECORD_KEYS_LOWER = frozenset(k.lower() for k in _RECORD_KEYS)
_NOT_SPACE = re.compile(rb"[^ \t\r\n\f\v]")

Decoded = RawRecord | QuarantineEntry


def _record_json(value: Any) -> bytes:
    """A record's JSON text, compact in memory too.

    orjson hands back its output in a buffer of at least 4 KB; a file's records are held until
    they are loaded, so a copy of the right size keeps ``[{},{},…]`` from costing 4 KB a record.
    """
    return bytes(memoryview(orjson.dumps(value)))


def _excerpt(data: bytes) -> str:
    return data[:240].decode("utf-8", errors="replace")


def _records_from_document(doc: Any, source: str) -> Iterator[Decoded]:
    """Records from a parsed JSON document of any known shape."""
    if isinstance(doc, list):
        for index, item in enumerate(doc):
            yield RawRecord(source, index, _record_json(item))
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
            yield RawRecord(source, index, _record_json(item))
        return
    if "Events" in doc and isinstance(doc["Events"], list):  # aws cloudtrail lookup-events
        for index, event in enumerate(doc["Events"]):
            text = event.get("CloudTrailEvent") if isinstance(event, dict) else None
            if isinstance(text, str):
                yield _embedded_record(text, source, index)
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
        yield RawRecord(source, 0, _record_json(doc))
        return
    yield QuarantineEntry(
        source, None, "JSON object of no known CloudTrail shape", _excerpt(orjson.dumps(doc))
    )


def _embedded_record(text: str, source: str, index: int) -> Decoded:
    """A record held as a JSON string (``lookup-events``): checked here, never by the batch."""
    data = text.encode("utf-8", errors="replace")
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as error:
        return QuarantineEntry(
            source, index, f"CloudTrailEvent is not valid JSON: {error}", _excerpt(data)
        )
    return RawRecord(source, index, data)


def _looks_like_record(value: Any) -> bool:
    """Whether a salvaged element is a record (or a ``lookup-events`` entry), not a fragment."""
    if not isinstance(value, dict):
        return False
    return "CloudTrailEvent" in value or any(k.lower() in _RECORD_KEYS_LOWER for k in value)


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
    return RawRecord(source, index, _record_json(merged))


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
    limits: RecordLimits = DEFAULT_LIMITS,
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
    first = _NOT_SPACE.search(text)  # (no stripped copy of a large text)
    head = text[first.start() : first.start() + 1] if first else b""
    if not head:
        if damage is None:
            yield QuarantineEntry(source, None, "empty file")
        else:
            yield damage
        return
    if fmt is InputFormat.JSON_LINES:
        items = _json_lines(text, source)
    else:
        items = _document(text, source, limits)
    yield from _capped(items, source, limits.max_records)
    if damage is not None:
        yield damage


def _capped(items: Iterator[Decoded], source: str, max_records: int) -> Iterator[Decoded]:
    """At most ``max_records`` records (good or quarantined) of one object; then one entry."""
    count = 0
    for item in items:
        if isinstance(item, RawRecord) or item.position is not None:
            if count == max_records:
                yield QuarantineEntry(
                    source,
                    max_records,
                    f"more than {max_records} records in one object: "
                    f"records from index {max_records} on were not read",
                )
                return
            count += 1
        yield item


def _document(text: bytes, source: str, limits: RecordLimits) -> Iterator[Decoded]:
    """The records of one JSON document (or of JSON lines that were not named so)."""
    failure: orjson.JSONDecodeError | None = None
    if text.count(b"{") + text.count(b"[") <= WHOLE_PARSE_VALUES:
        try:
            doc = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            failure = error
        else:
            yield from _records_from_document(doc, source)
            return
    if _is_json_lines(text):
        # Several documents one after another: JSON lines, or concatenated gzip members.
        yield from _json_lines(text, source)
        return
    budget = ScanBudget(SCAN_STEPS_PER_RECORD * limits.max_records)
    yield from _scan_document(text, source, limits, budget, failure)


def _is_json_lines(text: bytes) -> bool:
    """Whether the first line is a whole JSON value and more follows it."""
    first = _NOT_SPACE.search(text)
    start = first.start() if first else len(text)
    newline = text.find(b"\n", start)
    if newline == -1 or not _NOT_SPACE.search(text, newline):
        return False
    try:
        orjson.loads(text[start:newline])
    except orjson.JSONDecodeError:
        return False
    return True


def _scan_document(
    text: bytes,
    source: str,
    limits: RecordLimits,
    budget: ScanBudget,
    failure: orjson.JSONDecodeError | None,
) -> Iterator[Decoded]:
    """Records read element by element from the document's record array, damage reported."""
    found = find_record_array(text)
    key = found[1] if found else "Records"
    if found is None:
        if failure is None:
            yield QuarantineEntry(
                source, None, "JSON document without a record array, too large to read whole"
            )
            return
        # No record array to be found: report the document, salvage any record in it.
        yield QuarantineEntry(
            source,
            failure.pos,
            f"invalid JSON: {failure}",
            _excerpt(text[max(0, failure.pos - 40) :]),
        )
    pieces = scan_array(
        text,
        found[0] if found else None,
        budget,
        max_depth=limits.max_depth,
        looks_like_record=_looks_like_record,
    )
    damaged = found is None
    try:
        for piece in pieces:
            if piece.error is not None:
                damaged = True
                yield QuarantineEntry(source, piece.index, piece.error, _excerpt(piece.excerpt))
            elif isinstance(piece.value, dict) and (
                key == "Events" or "CloudTrailEvent" in piece.value
            ):
                text_value = piece.value.get("CloudTrailEvent")
                if isinstance(text_value, str):
                    yield _embedded_record(text_value, source, piece.index)
                else:
                    yield QuarantineEntry(
                        source,
                        piece.index,
                        "lookup-events entry without a CloudTrailEvent string",
                        _excerpt(orjson.dumps(piece.value)),
                    )
            elif key == "QueryResultRows":
                yield _lake_row(piece.value, source, piece.index)
            else:
                yield RawRecord(source, piece.index, _record_json(piece.value))
    except BudgetExhausted as exhausted:
        yield QuarantineEntry(
            source,
            None,
            f"too many nested values to scan: stopped at byte {exhausted.offset}",
        )
        return
    if failure is not None and not damaged:  # the damage is outside every record
        yield QuarantineEntry(
            source,
            failure.pos,
            f"invalid JSON outside the records (every record was read): {failure}",
            _excerpt(text[max(0, failure.pos - 40) :]),
        )
