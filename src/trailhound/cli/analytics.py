"""``trailhound analytics``: behavioural profiles and the analytics detectors.

``analytics train [--since 30d]`` rebuilds every profile from the stored events (afterwards each
ingested batch updates them); ``analytics profile ACTOR`` shows one identity's (or, with
``--scope``, an access key's, an account's or a VPC endpoint's); ``analytics list`` the detectors
with their training, test window, deduplication, severity and ATT&CK mapping; ``analytics
findings`` the latest findings with the explanation of each.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from trailhound.cli.context import data_dir
from trailhound.cli.output import fail, new_table, out, print_json
from trailhound.errors import TrailhoundError

analytics_app = typer.Typer(
    help="Behavioural analytics: profiles per identity and account, unusual activity.",
    no_args_is_help=True,
)
SCOPES = ("actor", "access_key", "account", "vpce")


def _span(delta: Any) -> str:
    if delta is None:
        return "single event"
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "none"
    if seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


@analytics_app.command("train")
def train(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Learn from the last DURATION of events (default: all).")
    ] = None,
) -> None:
    """Rebuild every profile from the stored events."""
    from trailhound.analytics.profiles import train as train_profiles
    from trailhound.durations import DurationError, parse_duration

    try:
        window = parse_duration(since) if since else None
    except DurationError as error:
        raise typer.BadParameter(error.message, param_hint="--since") from error
    try:
        summary = train_profiles(data_dir(ctx), window)
    except TrailhoundError as error:
        raise fail(error) from error
    subjects = ", ".join(f"{n} {scope}" for scope, n in sorted(summary.subjects.items()))
    out.print(
        f"trained on {summary.events:,} events in {summary.seconds:.1f} s: "
        f"{summary.rows:,} profile values; subjects: {subjects or 'none'}",
        highlight=False,
    )


@analytics_app.command("profile")
def profile(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="The identity (actor), key, account or endpoint.")],
    scope: Annotated[str, typer.Option(help="actor, access_key, account or vpce.")] = "actor",
    top: Annotated[int, typer.Option(help="Values shown per facet.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one subject's profile: what it was seen with, and its hourly volume."""
    from trailhound.analytics.profiles import load_profile

    if scope not in SCOPES:
        raise typer.BadParameter(f"use one of {', '.join(SCOPES)}", param_hint="--scope")
    try:
        found = load_profile(data_dir(ctx), subject, scope)
    except TrailhoundError as error:
        raise fail(error) from error
    if found is None:
        out.print(f"no profile for {scope} {subject}: run `trailhound analytics train`")
        raise typer.Exit(1)
    if as_json:
        print_json(
            {
                "scope": found.scope,
                "subject": found.subject,
                "first_seen": found.first_seen,
                "last_seen": found.last_seen,
                "events": found.events,
                "hours_active": found.hours_active,
                "median_events_per_hour": found.median_per_hour,
                "max_events_per_hour": found.max_per_hour,
                "denied": found.denied,
                "facets": {
                    facet: [
                        {"value": v, "first_seen": f, "last_seen": la, "events": n}
                        for v, f, la, n in values
                    ]
                    for facet, values in found.facets.items()
                },
            }
        )
        return
    out.print(
        f"{found.scope} {found.subject}: {found.events:,} events from {found.first_seen} to "
        f"{found.last_seen}; {found.hours_active} active hours, median {found.median_per_hour:g} "
        f"and at most {found.max_per_hour} events an hour; {found.denied} denied",
        highlight=False,
    )
    table = new_table("facet", "values", "most seen (events)")
    for facet, values in found.facets.items():
        shown = ", ".join(f"{v} ({n})" for v, _, _, n in values[:top])
        more = f", … {len(values) - top} more" if len(values) > top else ""
        table.add_row(facet, str(len(values)), shown + more)
    out.print(table)


@analytics_app.command("list")
def list_detectors() -> None:
    """The analytics detectors and what each declares."""
    from trailhound.analytics.catalog import ANALYTICS

    for a in ANALYTICS:
        window = _span(a.window) + (f" (at least {a.threshold})" if a.window else "")
        variations = "; ".join(f"{v.name} ({v.when}): {v.severity}" for v in a.variations)
        out.print(f"{a.rule_id} {a.severity}: {a.title}", highlight=False)
        out.print(
            f"  training {_span(a.training)}, activation {_span(a.activation)}, window {window}, "
            f"dedup {_span(a.dedup)}; ATT&CK {' '.join(a.techniques) or '-'}"
            + (f"; variations: {variations}" if variations else ""),
            highlight=False,
        )
        out.print(f"  {a.hint}", highlight=False)


@analytics_app.command("findings")
def findings(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """The latest analytics findings, each with why it was unusual."""
    from trailhound.analytics.detector import explanations

    table = new_table("event time", "rule id", "actor", "why")
    for when, rule_id, actor, why in explanations(data_dir(ctx), limit):
        table.add_row(str(when), rule_id, actor or "", why)
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``analytics``."""
    app.add_typer(analytics_app, name="analytics")
