"""What every command group prints with: the two consoles, JSON values and error exits.

Event data is written by whoever can write to the trail bucket, so nothing it contains may steer
the terminal: the consoles interpret no Rich markup or emoji codes in what they print (a command
that wants a style builds a ``Text``), and every string they render has its control characters
(escape sequences, carriage returns, bidirectional overrides) shown as ``\\xNN`` instead.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

import orjson
import typer
from rich.console import Console
from rich.text import Text

from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from rich.table import Table

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


def new_table(*headers: str, **options: Any) -> Table:
    """A Rich table (``rich.table`` is imported by the commands that print one, not by all)."""
    from rich.table import Table

    return Table(*headers, **options)


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


# A closed list, told in the help and matched whatever the case.
FormatOption = Annotated[
    Literal["table", "json", "csv"], typer.Option("--format", "-f", case_sensitive=False)
]
WIDE_COLUMNS = 12


def check_format(fmt: str) -> str:
    """``fmt`` (in lower case) if it is one :func:`render_rows` knows; a usage error otherwise."""
    fmt = fmt.lower()
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter(f"unknown format {fmt!r}: use table, json or csv")
    return fmt


def render_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    """Print query results as a table, one JSON array of objects, or CSV."""
    if fmt == "json":
        objects = [dict(zip(columns, row, strict=True)) for row in rows]
        print_json(objects)
    elif fmt == "csv":
        # Into a file or a pipe, the data as it is; onto a terminal, nothing that steers it.
        shown = printable if sys.stdout.isatty() else str
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([shown(c) for c in columns])
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else v
                    if isinstance(v, (int, float))
                    else shown(v if isinstance(v, str) else str(jsonable(v)))
                    for v in row
                ]
            )
        sys.stdout.write(buffer.getvalue())
    elif len(columns) > WIDE_COLUMNS:
        # Too wide for a terminal: one field-per-line block per row, long values cut.
        for number, row in enumerate(rows, 1):
            table = new_table("field", "value", title=f"row {number}", title_justify="left")
            table.columns[1].overflow = "fold"
            for column, value in zip(columns, row, strict=True):
                if value is not None:
                    text = _cell(value)
                    if len(text) > 300:
                        text.truncate(300, overflow="ellipsis")
                    table.add_row(safe_text(column), text)
            out.print(table)
        console.print(f"{len(rows):,} rows", highlight=False)
    else:
        table = new_table(show_lines=False)
        for column in columns:
            table.add_column(safe_text(column), overflow="fold")
        for row in rows:
            table.add_row(*(Text("") if v is None else _cell(v) for v in row))
        out.print(table)
        console.print(f"{len(rows):,} rows", highlight=False)


def _cell(value: Any) -> Text:
    """A table cell that shows the value as it is (no markup, no terminal controls)."""
    return safe_text(value if isinstance(value, str) else str(jsonable(value)))
