"""Command-line front door of incidents: ``incidents list|show|update|graph|regroup``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from trailhound.cli.context import data_dir as _data_dir
from trailhound.cli.output import console, fail, jsonable, new_table, out, print_json, printable
from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.incidents.store import IncidentStore

incidents_app = typer.Typer(
    help="Incidents: alerts grouped by principal, access key, session or role chain.",
    no_args_is_help=True,
)
GRAPH_FORMATS = ("json", "graphml")


def _store(ctx: typer.Context) -> IncidentStore:
    from trailhound.incidents.store import IncidentStore
    from trailhound.store.state import StateDB

    return IncidentStore(StateDB(_data_dir(ctx).state_db))


def _short(identity: object) -> str:
    text = str(identity or "")
    return text.split(":", 5)[-1] if text.startswith("arn:") else text


SEVERITY_STYLES = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def incident_lines(incidents: list[dict[str, Any]]) -> list[Text]:
    """Incidents the way ``incidents list`` prints them, two lines each (readable at any
    width): short ID (a prefix is enough for ``show``), severity, score, alerts, status, last
    activity and assignee; then the title."""
    lines: list[Text] = []
    for i in incidents:
        last = i["last_seen"]
        head = Text.assemble(
            (i["id"][:11], "bold"),
            "  ",
            (f"{i['severity']:<13}", SEVERITY_STYLES.get(i["severity"], "")),
            f" score {i['score']:>3}  {i['alert_count']:>3} alerts  {i['status']:<14}",
            last.strftime("%Y-%m-%d %H:%M") if last is not None else "",
            f"  → {i['assignee']}" if i["assignee"] else "",
        )
        lines += [head, Text("    " + printable(str(i["title"])))]
    return lines


@incidents_app.command("list")
def incidents_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="new, in_progress, resolved, …")] = None,
    severity: Annotated[str | None, typer.Option(help="Only this severity.")] = None,
    assignee: Annotated[str | None, typer.Option(help="Only those assigned to this name.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    by_score: Annotated[
        bool, typer.Option("--by-score", help="Highest score first (default: latest first).")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List incidents, most recent activity first."""
    from trailhound.incidents.store import public

    try:
        incidents = _store(ctx).list(
            status=status, severity=severity, assignee=assignee, limit=limit, by_score=by_score
        )
    except TrailhoundError as error:
        raise fail(error) from error
    if fmt == "json":
        print_json([public(i) for i in incidents])
        return
    for line in incident_lines(incidents):
        out.print(line, highlight=False)
    console.print(f"{len(incidents):,} incidents", highlight=False)


@incidents_app.command("show")
def incidents_show(
    ctx: typer.Context,
    incident_id: str,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """One incident with its alerts and comment trail."""
    from trailhound.incidents.store import public

    try:
        incident = public(_store(ctx).get(incident_id))
    except TrailhoundError as error:
        raise fail(error) from error
    if fmt == "json":
        for alert in incident["alerts"]:
            alert.pop("dedup_key", None)
        print_json(incident)
        return
    for key, value in incident.items():
        if key not in ("alerts", "comments"):
            shown = "" if value is None else str(jsonable(value))
            out.print(Text.assemble((key, "bold"), ": ", printable(shown)), highlight=False)
    alerts = new_table("alert", "severity", "title", "actor", "first_seen", "count", title="alerts")
    for a in incident["alerts"]:
        alerts.add_row(a["id"], a["severity"], a["title"], _short(a["actor"]),
                       jsonable(a["first_seen"]), str(a["count"]))  # fmt: skip
    out.print(alerts)
    for comment in incident["comments"]:
        out.print(
            f"  {jsonable(comment['at'])} {comment['author']}: {comment['text']}", highlight=False
        )


@incidents_app.command("update")
def incidents_update(
    ctx: typer.Context,
    incident_id: str,
    status: Annotated[
        str | None, typer.Option(help="new, in_progress, resolved or false_positive.")
    ] = None,
    assignee: Annotated[str | None, typer.Option(help='Assign it ("" unassigns).')] = None,
    comment: Annotated[str | None, typer.Option(help="Add a comment to the trail.")] = None,
    author: Annotated[str, typer.Option(help="Who is changing it.")] = "analyst",
) -> None:
    """Change an incident's status or assignee and/or add a comment."""
    try:
        incident = _store(ctx).update(
            incident_id, status=status, assignee=assignee, comment=comment, author=author
        )
    except TrailhoundError as error:
        raise fail(error) from error
    who = f", assigned to {incident['assignee']}" if incident["assignee"] else ""
    out.print(f"{incident['id']}: {incident['status']}{who}", highlight=False)


@incidents_app.command("graph")
def incidents_graph(
    ctx: typer.Context,
    incident_id: str,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or graphml.")] = "json",
) -> None:
    """The incident's root-cause graph: identities, keys, addresses, calls and resources."""
    from trailhound.incidents.graph import incident_graph, to_graphml, to_json

    if fmt not in GRAPH_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(GRAPH_FORMATS)}", param_hint="--format")
    try:
        graph = incident_graph(_data_dir(ctx), incident_id)
    except TrailhoundError as error:
        raise fail(error) from error
    if fmt == "json":
        print_json(to_json(graph))
    else:
        sys.stdout.write(printable(to_graphml(graph)))


@incidents_app.command("regroup")
def incidents_regroup(ctx: typer.Context) -> None:
    """Group every alert that is in no incident yet (alerts recorded before incidents existed,
    or while grouping failed)."""
    from trailhound.incidents.grouping import IncidentGrouper

    try:
        changed = IncidentGrouper.for_data_dir(_data_dir(ctx)).regroup()
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{len(changed):,} incidents opened or grown", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the incident commands to the main app."""
    app.add_typer(incidents_app, name="incidents")
