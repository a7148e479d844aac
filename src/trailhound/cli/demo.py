"""``trailhound demo-data``: write the demo generator's data set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trailhound.cli.output import console, out


def demo_data(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the S3-layout data set into.")],
    events: Annotated[int, typer.Option(help="Number of events.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 7,
) -> None:
    """Write a deterministic, realistic multi-account CloudTrail data set in S3 layout."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from trailhound.demo.generator import generate_demo

    with Progress(
        TextColumn("[bold]demo-data"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("demo", total=events)
        summary = generate_demo(
            outdir, events=events, seed=seed, progress=lambda n: bar.advance(task, n)
        )
    out.print(
        f"Wrote {summary.events:,} events (+{summary.insight_events} Insights events) in "
        f"{summary.files:,} files for {len(summary.accounts)} accounts and "
        f"{len(summary.regions)} regions to {outdir}; stories: {', '.join(summary.stories)}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``demo-data``."""
    app.command("demo-data")(demo_data)
