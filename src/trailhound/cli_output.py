"""What every command group prints with: the two consoles, JSON values and error exits.

Event data is written by whoever can write to the trail bucket, so nothing it contains may steer
the terminal: the consoles interpret no Rich markup or emoji codes in what they print (a command
that wants a style builds a ``Text``), and every string they render has its control characters
(escape sequences, carriage returns, bidirectional overrides) shown as ``\\xNN`` instead.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.text import Text

from trailhound.errors import TrailhoundError

# C0 but tab and newline, DEL, C1, and the Unicode marks that reorder or hide text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The same outside C0, which JSON already escapes: valid in a JSON string as \uXXXX.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: each control character shown as ``\\xNN`` (``\\uNNNN``).

    >>> printable("ok\\x1b[2Jgone\\r")
    'ok\\\\x1b[2Jgone\\\\x0d'
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(value: str, style: str = "") -> Text:
    """A Rich ``Text`` of data: printable, never read as markup."""
    return Text(printable(value), style=style)


class SafeConsole(Console):
    """A console that reads no markup or emoji codes and renders every string printable."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        """Render a string (table cells, titles, printed text) with its controls made visible."""
        return super().render_str(printable(text), **options)


console = SafeConsole(stderr=True)  # progress, notes and errors
out = SafeConsole(soft_wrap=True)  # results


def jsonable(value: Any) -> Any:
    """A value orjson cannot write, as JSON: UTC times end in ``Z``."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def print_json(value: Any) -> None:
    """Write one JSON document to standard output (terminal controls escaped, as JSON allows)."""
    text = orjson.dumps(value, default=jsonable).decode()
    sys.stdout.write(_UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def fail(error: TrailhoundError) -> typer.Exit:
    """Print an error and return the exit (status 2) to raise."""
    console.print(Text.assemble(("error:", "red"), " ", printable(str(error))), highlight=False)
    return typer.Exit(2)
