"""``trailhound ingest``: files, folders and standard input into the lake."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trailhound.cli.context import application
from trailhound.cli.output import console, fail, out
from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.model import IngestSummary


def summary_line(summary: IngestSummary) -> str:
    """The one line an ingest prints: what was read, written, skipped and quarantined."""
    counts = sorted(summary.files_skipped.items())
    skipped = ", ".join(f"{reason} ×{n}" for reason, n in counts if n)
    return (
        f"Ingested {summary.events_written:,} events from {summary.files:,} files in "
        f"{summary.seconds:.1f} s ({summary.events_per_second:,.0f} events/s): "
        f"{summary.records:,} records read, {summary.duplicates:,} duplicates, "
        f"{summary.quarantined:,} quarantined" + (f"; skipped {skipped}" if skipped else "")
    )


def ingest(
    ctx: typer.Context,
    paths: Annotated[list[str], typer.Argument(help="Files or folders to ingest; - for stdin.")],
    strict: Annotated[bool, typer.Option(help="Exit non-zero if anything is quarantined.")] = False,
    detect: Annotated[bool, typer.Option(help="Run the detection rules on every batch.")] = True,
) -> None:
    """Ingest CloudTrail files (S3 layout, JSON lines, lookup-events, Lake exports, stdin)."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from trailhound.ingest import Progress as IngestProgress
    from trailhound.sources.base import Source
    from trailhound.sources.files import FileSource
    from trailhound.sources.stdin import StdinSource

    files = [Path(p) for p in paths if p != "-"]
    missing = [str(p) for p in files if not p.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}")
    sources: list[Source] = [FileSource(files)] if files else []
    if "-" in paths:
        sources.append(StdinSource())
    try:
        with Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[files]} files"),
            TextColumn("{task.fields[records]:,} events"),
            TextColumn("{task.fields[rate]:,.0f} events/s"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("ingest", total=None, files="0", records=0, rate=0.0)
            started = time.perf_counter()

            def on_progress(p: IngestProgress) -> None:
                elapsed = max(time.perf_counter() - started, 1e-9)
                bar.update(
                    task,
                    completed=p.files_done,
                    total=p.files_total,
                    files=f"{p.files_done:,}/{p.files_total:,}",
                    records=p.records,
                    rate=p.records / elapsed,
                )

            # The bar moves with every file read (the loader then reads in smaller groups, see
            # bench/ingest_progress.py); off a terminal nothing is drawn, so nothing is asked.
            summary = application(ctx).ingest(
                sources, detect=detect, on_progress=on_progress if console.is_terminal else None
            )
            summary.seconds = time.perf_counter() - started
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(summary_line(summary), highlight=False)
    if summary.quarantined:
        console.print(
            f"{summary.quarantined:,} records or files quarantined: "
            "trailhound query 'dataset = quarantine | sort quarantined_at desc | limit 20'",
            highlight=False,
        )
    if strict and summary.quarantined:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``ingest``."""
    app.command()(ingest)
