"""``trailhound lake compact | expire``: the lake's upkeep (on disk or on S3)."""

from __future__ import annotations

from typing import Annotated

import typer

from trailhound.cli.context import application
from trailhound.cli.output import fail, out
from trailhound.errors import TrailhoundError

lake_app = typer.Typer(
    help="The event lake (local, or s3://… through $TRAILHOUND_LAKE): compaction, retention.",
    no_args_is_help=True,
)


@lake_app.command("compact")
def lake_compact(
    ctx: typer.Context,
    min_files: Annotated[
        int, typer.Option(help="Merge a partition once it holds this many small files.")
    ] = 2,
) -> None:
    """Merge each partition's small Parquet files into one (each event once on S3)."""
    try:
        removed = application(ctx).compact(min_files)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Compacted {removed:,} files.")


@lake_app.command("expire")
def lake_expire(
    ctx: typer.Context,
    older_than: Annotated[
        str, typer.Option("--older-than", help="Retention: delete days older than this (400d).")
    ],
) -> None:
    """Delete the partitions of days older than the retention (by event date, in UTC)."""
    try:
        removed, before = application(ctx).expire(older_than)
    except TrailhoundError as error:  # a bad duration too
        raise fail(error) from error
    out.print(f"Expired {removed:,} files dated before {before.isoformat()}.")


def register(app: typer.Typer) -> None:
    """Add the lake commands to the main app."""
    app.add_typer(lake_app, name="lake")
