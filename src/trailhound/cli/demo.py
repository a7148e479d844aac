"""``trailhound demo-data``: write the demo generator's data set.

The generator is its own package, ``trailhound_demo``, outside the product's core: installed
beside trailhound from a source checkout (``make demo``, ``make install-test``), and left out of
installations that do not want it; then this command says how to get it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trailhound.cli.output import console, fail, out
from trailhound.errors import TrailhoundError

NOT_INSTALLED = (
    "the demo data generator (package trailhound_demo) is not installed: install trailhound "
    "from its source repository (make demo, or pip install -e . in a checkout), which ships it"
)


def demo_data(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the S3-layout data set into.")],
    events: Annotated[int, typer.Option(help="Number of events.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 7,
    days: Annotated[
        int,
        typer.Option(
            help="Days the data set spans (7 to 56); over a week the attack stories come on its "
            "last days, after the history behavioural analytics learn from."
        ),
    ] = 7,
    tor_list: Annotated[
        Path | None,
        typer.Option(
            "--tor-list",
            help="Also write the demo's Tor exit list here (for `trailhound intel update --tor`).",
        ),
    ] = None,
) -> None:
    """Write a deterministic, realistic multi-account CloudTrail data set in S3 layout."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    try:
        from trailhound_demo import generate_demo
        from trailhound_demo.generator import PUBLIC_KEYS_FILE
    except ImportError as error:
        raise fail(TrailhoundError(NOT_INSTALLED)) from error

    with Progress(
        TextColumn("[bold]demo-data"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("demo", total=events)
        try:
            summary = generate_demo(
                outdir,
                events=events,
                seed=seed,
                days=days,
                progress=lambda n: bar.advance(task, n),
            )
        except ValueError as error:
            raise fail(TrailhoundError(str(error))) from error
    out.print(
        f"Wrote {summary.events:,} events (+{summary.insight_events} Insights events) in "
        f"{summary.files:,} files for {len(summary.accounts)} accounts and "
        f"{len(summary.regions)} regions to {outdir}; stories: {', '.join(summary.stories)}",
        highlight=False,
    )
    if tor_list is not None:
        from trailhound_demo.intel import write_demo_tor_list

        write_demo_tor_list(tor_list)
        out.print(
            f"Wrote the demo's Tor exit list to {tor_list}: install it with "
            f"`trailhound intel update --tor {tor_list}`.",
            highlight=False,
        )
    console.print(
        f"Ingest it: trailhound ingest {outdir}\n"
        f"Check its digests (one log file is rewritten on purpose): trailhound ledger "
        f"--public-keys {outdir / PUBLIC_KEYS_FILE}\n"
        "Point plain trailhound commands at a store: export TRAILHOUND_DATA_DIR=FOLDER "
        "(or --data-dir FOLDER)",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``demo-data``."""
    app.command("demo-data")(demo_data)
