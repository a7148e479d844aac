"""THE duration parser: lengths of time as analysts write them (``90s``, ``1h30m``, ``7d``).

Every duration trailhound reads goes through here: ``query --since`` and a query's
``config timeframe``, ``detect --since``, the ledger's ``--since``, ``--late-after`` and
``--silence``, the ``retro-hunt`` setting and a rule's ``suppression``. A duration is one or more
parts, each a whole number and a unit — ``s``, ``m``, ``h``, ``d`` or ``w`` (case does not
matter) — longer than zero and at most 100 years. ``parse_window`` also reads the words that mean
"no limit" (``all``, ``off``, ``none`` or nothing) as None.

Sigma correlation time spans are the one exception: the Sigma specification defines their units
(``1M`` is a month there, a minute here), so pySigma reads them.
"""

from __future__ import annotations

import re
from datetime import timedelta

from trailhound.errors import TrailhoundError

UNIT_SECONDS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
UNBOUNDED = frozenset({"", "all", "off", "none"})
_PART = re.compile(r"([0-9]+)([smhdw])")
_WHOLE = re.compile(r"(?:[0-9]+[smhdw])+")
# Past this, timedelta overflows; nobody means a window longer than that.
MAX_SECONDS = 100 * 365 * 86400


class DurationError(TrailhoundError, ValueError):
    """A duration that cannot be read; ``message`` says why, without the traceback's framing."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.message = message
        self.text = text


def parse_duration(text: str | int) -> timedelta:
    """Parse ``30s``, ``15m``, ``24h``, ``7d``, ``2w`` or ``1h30m``; a number is seconds.

    >>> parse_duration("7d")
    datetime.timedelta(days=7)
    >>> parse_duration("1h30m")
    datetime.timedelta(seconds=5400)
    >>> parse_duration(90)
    datetime.timedelta(seconds=90)
    """
    if isinstance(text, bool):  # a YAML ``true`` is no number of seconds
        raise DurationError(f"bad duration {text!r}: write e.g. 7d or 1h30m", str(text))
    if isinstance(text, int):
        seconds = text
    else:
        cleaned = str(text).strip().lower()
        if not _WHOLE.fullmatch(cleaned):
            raise DurationError(
                f"bad duration {text!r}: write a number and a unit (s, m, h, d, w), "
                "e.g. 7d or 1h30m",
                str(text),
            )
        seconds = sum(int(n) * UNIT_SECONDS[unit] for n, unit in _PART.findall(cleaned))
    if seconds <= 0:
        raise DurationError(f"duration {text!r} must be longer than zero", str(text))
    if seconds > MAX_SECONDS:
        raise DurationError(f"duration {text!r} is longer than 100 years", str(text))
    return timedelta(seconds=seconds)


def parse_window(text: str | int | None) -> timedelta | None:
    """A look-back or threshold: a duration, or None for ``all``/``off``/``none``/nothing.

    >>> parse_window("all") is None
    True
    >>> parse_window("24h")
    datetime.timedelta(days=1)
    """
    if text is None or (isinstance(text, str) and text.strip().lower() in UNBOUNDED):
        return None
    return parse_duration(text)
