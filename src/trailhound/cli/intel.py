"""``trailhound intel``: the offline intel lists (status, update, lookup, rebuild).

``intel update --tor FILE`` (and ``--aws-ranges``, ``--country``, ``--asn``) installs a new
version of a list, rebuilds the per-address enrichment table so that old events read with the new
list, and records the change for the retro-hunt (``intel-retro-hunt`` look-back). ``--reset LIST``
goes back to the default the package ships. ``intel status`` shows every list's version, size and
date and the state of the enrichment table; ``intel lookup`` answers for a few addresses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from trailhound.cli.context import application
from trailhound.cli.context import data_dir as context_data_dir
from trailhound.cli.output import console, fail, new_table, out, print_json
from trailhound.errors import TrailhoundError

intel_app = typer.Typer(
    help="Offline intel lists: Tor exits, AWS ranges, country and ASN.", no_args_is_help=True
)
FORMATS = ("table", "json")


def _check_format(value: str) -> str:
    if value not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}")
    return value


FormatOption = Annotated[
    str, typer.Option("--format", callback=_check_format, help="table or json.")
]


@intel_app.command("status")
def status(ctx: typer.Context, output: FormatOption = "table") -> None:
    """Each list's version, size and date; the enrichment table; recent changes."""
    from trailhound.intel.versions import active_versions, intel_changes_since
    from trailhound.store.enrichment import EnrichmentFiles
    from trailhound.store.state import StateDB

    data_dir = context_data_dir(ctx)
    try:
        state = StateDB(data_dir.state_db)
        versions = active_versions(state)
        generation, files = EnrichmentFiles(data_dir).snapshot()
        changes = intel_changes_since(data_dir, datetime(1970, 1, 1, tzinfo=UTC))
    except TrailhoundError as error:
        raise fail(error) from error
    from trailhound.intel.versions import combined_version

    current = combined_version(versions)
    report = {
        "intel_version": current,
        "lists": [
            {
                "list": v.list_name,
                "version": v.version,
                "sha256": v.sha256,
                "entries": v.entries,
                "ranges": v.ranges,
                "list_date": v.list_date,
                "source": v.source,
                "installed_at": v.installed_at,
            }
            for v in versions.values()
        ],
        "enrichment": {
            "intel_version": generation.intel_version if generation else None,
            "built_at": generation.built_at if generation else None,
            "files": len(files),
            "current": generation is not None and generation.intel_version == current,
        },
        "changes": [
            {
                "list": c.list_name,
                "version": c.version,
                "previous": c.previous,
                "changed_at": c.changed_at,
                "hunt_since": c.hunt_since,
            }
            for c in changes
        ],
    }
    if output == "json":
        print_json(report)
        return
    table = new_table(
        "list", "version", "entries", "ranges", "date", "source", "installed", title="Intel"
    )
    for v in versions.values():
        table.add_row(
            v.list_name,
            v.version,
            f"{v.entries:,}",
            f"{v.ranges:,}",
            v.list_date or "",
            v.source,
            v.installed_at.strftime("%Y-%m-%d %H:%M") if v.installed_at else "",
        )
    out.print(table)
    if generation is None:
        out.print("Enrichment table: not built yet (built by the next ingest or `intel rebuild`).")
    elif generation.intel_version != current:
        out.print(
            f"Enrichment table: built with intel {generation.intel_version}, lists in force are "
            f"{current}; the next ingest rebuilds it (or run `trailhound intel rebuild`).",
            style="yellow",
            highlight=False,
        )
    else:
        out.print(
            f"Enrichment table: current (intel {current}, built {generation.built_at}, "
            f"{len(files)} file(s)).",
            highlight=False,
        )
    for c in changes[-5:]:
        out.print(
            f"{c.changed_at:%Y-%m-%d %H:%M} {c.list_name} {c.previous} → {c.version}; "
            f"retro-hunt from {c.hunt_since:%Y-%m-%d %H:%M}",
            highlight=False,
        )


@intel_app.command("update")
def update(
    ctx: typer.Context,
    tor: Annotated[
        Path | None, typer.Option(help="Tor exit list: one address a line, # comments.")
    ] = None,
    aws_ranges: Annotated[
        Path | None,
        typer.Option("--aws-ranges", help="AWS's ip-ranges.json (or one CIDR a line)."),
    ] = None,
    country: Annotated[
        Path | None, typer.Option(help="CSV first,last,country (ip-location-db format).")
    ] = None,
    asn: Annotated[
        Path | None, typer.Option(help="CSV first,last,asn,organization (ip-location-db).")
    ] = None,
    reset: Annotated[
        list[str] | None,
        typer.Option(help="Go back to the shipped default of a list (tor, aws-ranges, …)."),
    ] = None,
) -> None:
    """Replace intel lists; old events read with the new lists from now on, and the Tor and
    remote-credential analytics re-run over the look-back (setting ``intel-retro-hunt``)."""
    from trailhound.intel.lists import spec

    files: dict[str, Path | None] = {}
    for name in reset or []:
        try:
            spec(name)
        except TrailhoundError as error:
            raise typer.BadParameter(str(error), param_hint="--reset") from error
        files[name] = None
    given = {"tor": tor, "aws-ranges": aws_ranges, "country": country, "asn": asn}
    files.update({name: path for name, path in given.items() if path is not None})
    if not files:
        raise typer.BadParameter("give at least one list file (or --reset LIST)")
    try:
        installed, raised = application(ctx).update_intel(files)
    except TrailhoundError as error:
        raise fail(error) from error
    for v in installed:
        out.print(
            f"{v.list_name}: version {v.version}, {v.entries:,} entries"
            + (f" (list of {v.list_date})" if v.list_date else "")
            + f", from {v.source}",
            highlight=False,
        )
    console.print("Enrichment table rebuilt with the new lists.", highlight=False)
    console.print(f"Retro-hunt: {len(raised)} alerts raised or grown.", highlight=False)


@intel_app.command("lookup")
def lookup(
    ctx: typer.Context,
    addresses: Annotated[list[str], typer.Argument(help="Addresses (or service names).")],
    output: FormatOption = "table",
) -> None:
    """What the lists in force say about some addresses."""
    from trailhound.intel.lookup import IntelTables

    try:
        tables = IntelTables.load(context_data_dir(ctx))
        try:
            rows = tables.lookup(addresses)
        finally:
            tables.close()
    except TrailhoundError as error:
        raise fail(error) from error
    if output == "json":
        print_json(rows)
        return
    columns = ("source_ip_address", "src_country", "src_asn", "src_as_org", "src_is_tor")
    table = new_table(*columns, "src_in_aws")
    for row in rows:
        table.add_row(
            *("" if row.get(c) is None else str(row.get(c)) for c in (*columns, "src_in_aws"))
        )
    out.print(table)


@intel_app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Recompute the enrichment table from every address in the lake."""
    from trailhound.intel.enrichment import rebuild_enrichment

    try:
        summary = rebuild_enrichment(context_data_dir(ctx))
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(
        f"Enrichment table rebuilt: {summary.addresses:,} addresses, "
        f"intel {summary.intel_version}.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``intel``."""
    app.add_typer(intel_app, name="intel")
