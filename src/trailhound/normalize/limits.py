"""The ranges a record must stay within to be stored, and the precise check of its structure.

Every value that becomes a path, a partition or a typed column is range-checked while records
are normalized, so one hostile record costs one record, never its batch:

- ``eventTime`` must fall in ``[EVENT_TIME_MIN, EVENT_TIME_MAX)`` (1970-01-01 to 2100-01-01,
  UTC). Outside it DuckDB would hand back dates Python cannot represent (year 10000) or
  ``infinity``, which has no partition;
- ``recipientAccountId``, when present, must be a 12-digit account ID: it names the lake's
  ``account=`` partition folder. A record without one is filed under its caller's
  ``userIdentity.accountId``, then the account in its file's path, when those are 12 digits,
  else under ``unknown``;
- a record may nest at most ``max_depth`` levels and hold at most ``max_keys`` keys (counted
  through every level), and one object (file, message) at most ``max_records`` records:
  what is past a limit is quarantined with a reason naming it.

The structure limits are checked in two steps so that the DuckDB fast path stays fast: the
normalizer flags a record whose text holds more brackets than ``max_depth`` or more colons than
``max_keys`` (both upper bounds, found by counting characters), and only flagged records are
scanned exactly here.
(``RecordLimits`` itself is in :mod:`trailhound.model`: the readers of ``sources`` cap
records per object with it too.)
"""

from __future__ import annotations

import re

from trailhound.model import DEFAULT_LIMITS, RecordLimits

EVENT_TIME_MIN = "1970-01-01 00:00:00+00"
EVENT_TIME_MAX = "2100-01-01 00:00:00+00"
ACCOUNT_ID_PATTERN = r"^[0-9]{12}$"

# Everything up to the next bracket, colon or unterminated quote, strings skipped whole (their
# brackets and colons do not count). Possessive quantifiers: no backtracking on hostile input.
_SKIP = re.compile(rb'(?:[^"{}\[\]:]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)


def structure_violation(text: str | bytes, limits: RecordLimits = DEFAULT_LIMITS) -> str | None:
    """Why a record's JSON text is too deep or has too many keys, or None if it is within limits.

    Scans the text without parsing it into objects and stops at the first limit passed, so a
    hostile record costs no more than its length.

    >>> structure_violation('{"a": [[{"b": 1}]]}', RecordLimits(max_depth=3))
    'record nests deeper than 3 levels'
    """
    data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    depth = keys = 0
    pos = _SKIP.match(data).end()  # type: ignore[union-attr]
    end = len(data)
    while pos < end:
        char = data[pos]
        if char in b"{[":
            depth += 1
            if depth > limits.max_depth:
                return f"record nests deeper than {limits.max_depth} levels"
        elif char in b"}]":
            depth -= 1
        elif char == ord(":"):
            keys += 1
            if keys > limits.max_keys:
                return f"record has more than {limits.max_keys} keys"
        else:  # an unterminated string: the rest cannot add structure
            break
        pos = _SKIP.match(data, pos + 1).end()  # type: ignore[union-attr]
    return None


def needs_structure_check_sql(raw: str, limits: RecordLimits = DEFAULT_LIMITS) -> str:
    """SQL that is true when ``raw`` may pass a structure limit (counts brackets and colons).

    A CASE, so that each count is only taken where it can matter: counting brackets costs a
    few per cent of the normalizer, counting colons (every key has one) much more, and only
    texts longer than ``4 * max_keys`` can hold too many keys.
    """
    length = f"strlen({raw})"
    brackets = f"{length} - strlen(replace(replace({raw}, '{{', ''), '[', ''))"
    colons = f"{length} - strlen(replace({raw}, ':', ''))"
    return (
        f"CASE WHEN {length} <= {2 * limits.max_depth} THEN false "
        f"WHEN {brackets} > {limits.max_depth} THEN true "
        f"WHEN {length} <= {4 * limits.max_keys} THEN false "
        f"ELSE {colons} > {limits.max_keys} END"
    )
