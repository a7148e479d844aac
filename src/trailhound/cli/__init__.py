"""The command line: the ``trailhound`` Typer app, assembled from one module per command group.

``ingest`` (ingest), ``query`` (query, sql, stats, compact, schema), ``queries`` (the query
library), ``detect`` (detect, alerts, rules, config), ``incidents`` (list, show, update, graph,
regroup), ``aws`` (integration, setup, collect), ``ledger``, ``intel`` (the offline intel lists),
``analytics`` (behavioural profiles), ``lake`` (lake compact, lake expire), ``demo`` (demo-data)
and ``server`` (serve, keys, users). Each module has a ``register(app)``, called when one of its
commands runs (``commands.py``); this module's callback
resolves ``--data-dir`` into the context (see ``context.py``), the one place commands find it,
and configures logging (``--log-level``, ``--log-format``; see ``logs.py``) once. Command modules
import their stage's heavy modules inside the commands, so that a command only pays for what it
uses.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from trailhound.cli.commands import LazyCommands, typer_app
from trailhound.cli.context import CliState
from trailhound.cli.output import console
from trailhound.data_dir import resolve_data_dir
from trailhound.logs import FORMATS, LEVELS, configure_logging
from trailhound.store.lock import set_wait_notice

app = typer_app(
    name="trailhound",
    help="Self-hosted detection and response for AWS CloudTrail.",
    no_args_is_help=True,
    cls=LazyCommands,  # each command's module is imported when it runs (commands.py)
)


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="TRAILHOUND_DATA_DIR",
            show_default=False,
            help="Where the lake and state live (default: the user data folder).",
        ),
    ] = None,
    log_level: Annotated[
        str,
        typer.Option(
            "--log-level",
            envvar="TRAILHOUND_LOG_LEVEL",
            help="debug, info, warning or error: what is logged to standard error.",
        ),
    ] = "warning",
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format",
            envvar="TRAILHOUND_LOG_FORMAT",
            help="text, or json (one object per line) for a log shipper.",
        ),
    ] = "text",
) -> None:
    """Self-hosted detection and response for AWS CloudTrail."""
    if log_level.lower() not in LEVELS:
        raise typer.BadParameter(f"use one of {', '.join(LEVELS)}", param_hint="--log-level")
    if log_format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--log-format")
    configure_logging(log_level, log_format)
    # Everything this process writes (lake, state, secrets, downloads) is the owner's alone.
    os.umask(0o077)
    set_wait_notice(_tell_waiting)
    ctx.obj = CliState(resolve_data_dir(data_dir))


def _tell_waiting(pid: int | None) -> None:
    who = f"pid {pid}" if pid else "pid unknown"
    console.print(
        f"waiting for another trailhound process ({who}) to finish writing…", highlight=False
    )


__all__ = ["app"]
