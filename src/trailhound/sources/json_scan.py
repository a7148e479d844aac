"""A tolerant scanner over a JSON array of records: element by element, salvaging damage.

``sources.decode`` parses a document whole with orjson when it can. This scanner is for the
rest: a document with a bad byte or a truncated tail (orjson rejects all of it), and one with
more nested values than is safe to turn into Python objects at once (``[{},{},…]``). It finds
each element's extent by counting brackets outside strings (regular expressions skip the text
between brackets, so Python only steps from bracket to bracket), parses each element on its own,
and reports a damaged element with its offset instead of giving up on the file. After damage it
resynchronizes on the next object that starts an element (after ``[`` or ``,``) and looks like a
record (any object that parses and has a CloudTrail record key), so a broken record costs
that record and the ones damage ran through, not the file.

Every step is bounded: a budget of structural characters per document, a nesting limit per
element, and candidates tried while resynchronizing must close within ``MAX_RECORD_BYTES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson

# CloudTrail caps an event at 256 KB; an element that does not close within this many bytes is
# not taken as a record while resynchronizing after damage.
MAX_RECORD_BYTES = 1024 * 1024
EXCERPT_BYTES = 240
# Everything up to the next bracket or an unterminated quote, strings skipped whole.
_SKIP = re.compile(rb'(?:[^"{}\[\]]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_SCALAR = re.compile(rb"[^\s,\]}]*+")
_SPACE = re.compile(rb"[ \t\r\n]*+")
_ARRAY_KEY = re.compile(rb'"(Records|Events|QueryResultRows)"[ \t\r\n]*+:[ \t\r\n]*+\[')


class ScanBudget:
    """How many structural characters a scan may still step over (one document's worth)."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def spend(self, steps: int = 1) -> bool:
        """Use ``steps``; False once the budget is gone."""
        self.steps -= steps
        return self.steps >= 0


@dataclass(frozen=True, slots=True)
class Piece:
    """One element of the array: parsed, or damaged with why."""

    index: int  # position in the array as scanned (after damage, the count of pieces seen)
    offset: int  # byte offset of the element in the document
    excerpt: bytes  # a damaged element's first bytes (empty for a good one)
    value: Any = None
    error: str | None = None


class BudgetExhausted(Exception):
    """The document has more structure than its scan budget allows."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def value_end(
    data: bytes, pos: int, budget: ScanBudget, *, max_depth: int, max_bytes: int | None = None
) -> tuple[int | None, bool]:
    """Where the JSON value at ``data[pos]`` ends, and whether it nests deeper than ``max_depth``.

    The end is None when the value never closes (truncated, or damage unbalanced it) or runs
    past ``max_bytes``. Brackets are matched by count, not kind: parsing the extent finds the rest.

    >>> value_end(b'[{"a": "]"}, 2]', 0, ScanBudget(100), max_depth=8)
    (15, False)
    """
    first = data[pos : pos + 1]
    if first == b'"':
        match = _STRING.match(data, pos)
        return (match.end() if match else None), False
    if first not in (b"{", b"["):
        return _SCALAR.match(data, pos).end(), False  # type: ignore[union-attr]
    limit = len(data) if max_bytes is None else min(len(data), pos + max_bytes)
    depth = 0
    too_deep = False
    while pos < limit:
        if not budget.spend():
            raise BudgetExhausted(pos)
        char = data[pos]
        if char == 0x7B or char == 0x5B:  # { [
            depth += 1
            too_deep = too_deep or depth > max_depth
        elif char == 0x7D or char == 0x5D:  # } ]
            depth -= 1
            if depth == 0:
                return pos + 1, too_deep
        else:  # a quote that never closes
            return None, too_deep
        pos = _SKIP.match(data, pos + 1).end()  # type: ignore[union-attr]
    return None, too_deep


def find_record_array(data: bytes) -> tuple[int, str] | None:
    """The offset of the ``[`` that opens the document's records, and the key that names it.

    A top-level array is its own record array (key ``""``); otherwise the first ``Records``,
    ``Events`` or ``QueryResultRows`` array. None when there is none to be found.
    """
    start = _SPACE.match(data).end()  # type: ignore[union-attr]
    if data[start : start + 1] == b"[":
        return start, ""
    match = _ARRAY_KEY.search(data, start)
    if match is None:
        return None
    return match.end() - 1, match.group(1).decode()


def scan_array(
    data: bytes,
    start: int | None,
    budget: ScanBudget,
    *,
    max_depth: int,
    looks_like_record: Callable[[Any], bool],
) -> Iterator[Piece]:
    """Every element of the array opening at ``data[start]``, parsed or reported as damaged.

    With ``start`` None (no array to be found), the records are looked for from the beginning.
    Stops at the array's end or the end of the data; raises ``BudgetExhausted``.
    """
    if start is None:
        pos = _resynchronize(data, 0, budget, max_depth, looks_like_record)
    else:
        pos = start + 1
    index = 0
    while pos is not None:
        pos = _SPACE.match(data, pos).end()  # type: ignore[union-attr]
        if pos >= len(data):
            yield Piece(index, pos, b"", None, "invalid JSON: the input ends before the array")
            return
        if data[pos] == 0x5D:  # ]
            return
        end, too_deep = value_end(data, pos, budget, max_depth=max_depth)
        error: str | None = None
        if too_deep:
            error = f"record nests deeper than {max_depth} levels"
        elif end is None:
            error = "invalid JSON: the input ends inside this record"
        else:
            try:
                value = orjson.loads(data[pos:end])
            except orjson.JSONDecodeError as failure:
                error = f"invalid JSON: {failure}"
            else:
                yield Piece(index, pos, b"", value)
                index += 1
        damaged_at = pos
        if end is not None and (error is None or too_deep):
            # A whole element (good, or too deep to keep): what follows it?
            after = _SPACE.match(data, end).end()  # type: ignore[union-attr]
            if after < len(data) and data[after] == 0x5D:
                pos = None
            elif after >= len(data):
                pos = after  # the next turn reports the missing end
            elif data[after] == 0x2C:  # ,
                pos = after + 1
            elif start is None and data[after] == 0x7B and b"\n" in data[end:after]:
                pos = after  # records one per line, not in an array
            else:  # neither a comma nor the end: damage between two elements
                if error is None:
                    error, damaged_at = "invalid JSON: unexpected bytes after a record", after
                pos = _resynchronize(data, after, budget, max_depth, looks_like_record)
        else:
            pos = _resynchronize(data, pos + 1, budget, max_depth, looks_like_record)
        if error is not None:
            excerpt = data[damaged_at : min(damaged_at + EXCERPT_BYTES, pos or len(data))]
            yield Piece(index, damaged_at, excerpt, None, error)
            index += 1


def _resynchronize(
    data: bytes,
    pos: int,
    budget: ScanBudget,
    max_depth: int,
    looks_like_record: Callable[[Any], bool],
) -> int | None:
    """The start of the next object at or after ``pos`` that parses and looks like a record."""
    start = data.find(b"{", pos)
    while start != -1:
        end, too_deep = value_end(
            data, start, budget, max_depth=max_depth, max_bytes=MAX_RECORD_BYTES
        )
        if end is not None and not too_deep:
            try:
                value = orjson.loads(data[start:end])
            except orjson.JSONDecodeError:
                value = None
            if looks_like_record(value):
                return start
        start = data.find(b"{", start + 1)
    return None
