"""What every command group prints with: the two consoles, JSON values and error exits."""

from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
import typer
from rich.console import Console

from trailhound.errors import TrailhoundError

console = Console(stderr=True)  # progress, notes and errors
out = Console(soft_wrap=True)  # results


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
    """Write one JSON document to standard output."""
    sys.stdout.write(orjson.dumps(value, default=jsonable).decode() + "\n")


def fail(error: TrailhoundError) -> typer.Exit:
    """Print an error and return the exit (status 2) to raise."""
    console.print(f"[red]error:[/red] {error}", highlight=False)
    return typer.Exit(2)
