"""Command-line front door of suppressions: ``suppressions list|add|remove``.

A suppression stops one rule alerting on matches whose field (``principal``, ``source_ip``,
``account`` or ``resource``) has one value, until it expires; the console's rules page suggests
them from analysts' verdicts. Every command calls the application object, as the API does.
"""

from __future__ import annotations

from typing import Annotated

import typer

from trailhound.cli.context import application
from trailhound.cli.output import (
    console,
    fail,
    jsonable,
    new_table,
    out,
    print_json,
    printable,
)
from trailhound.errors import TrailhoundError

suppressions_app = typer.Typer(
    help="Suppressions: a rule's matches on one value that should not alert.",
    no_args_is_help=True,
)
FIELDS = "principal, source_ip, account or resource"


@suppressions_app.command("list")
def suppressions_list(
    ctx: typer.Context,
    active: Annotated[bool, typer.Option("--active", help="Only those not expired.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Every suppression, newest first: rule, field and value, expiry and matches dropped."""
    try:
        found = application(ctx).list_suppressions(active_only=active)
    except TrailhoundError as error:
        raise fail(error) from error
    if fmt == "json":
        print_json(found)
        return
    table = new_table()
    table.add_column("id", no_wrap=True)  # whole: ``suppressions remove`` takes it
    for column in ("rule", "field", "value", "expires", "hits", "by", "reason"):
        table.add_column(column)
    for s in found:
        expires = jsonable(s["expires_at"]) if s["expires_at"] else "never"
        table.add_row(
            s["id"],
            printable(s["rule_id"]),
            s["field"],
            printable(s["value"]),
            str(expires) + ("" if s["active"] else " (expired)"),
            str(s["hits"]),
            printable(s["created_by"]),
            printable(s["reason"] or ""),
        )
    out.print(table)
    console.print(f"{len(found):,} suppressions", highlight=False)


@suppressions_app.command("add")
def suppressions_add(
    ctx: typer.Context,
    rule_id: Annotated[str, typer.Argument(help="The rule's ID.")],
    field: Annotated[str, typer.Argument(help=f"The match's field: {FIELDS}.")],
    value: Annotated[str, typer.Argument(help="The value (compared case-insensitively).")],
    days: Annotated[int, typer.Option(help="Days it lasts (1-366).")] = 30,
    forever: Annotated[bool, typer.Option("--forever", help="Never expires.")] = False,
    reason: Annotated[str, typer.Option(help="Why, for the next analyst.")] = "",
    author: Annotated[str, typer.Option(help="Who adds it.")] = "analyst",
) -> None:
    """Stop a rule alerting on matches whose field has this value; prints its ID."""
    try:
        added = application(ctx).add_suppression(
            rule_id, field, value, days=None if forever else days, reason=reason, author=author
        )
    except TrailhoundError as error:
        raise fail(error) from error
    until = jsonable(added["expires_at"]) if added["expires_at"] else "ever"
    out.print(added["id"], highlight=False)
    console.print(
        f"Suppressed {printable(rule_id)} where {field} is {printable(value)}, until {until}.",
        highlight=False,
    )


@suppressions_app.command("remove")
def suppressions_remove(
    ctx: typer.Context,
    suppression_id: Annotated[str, typer.Argument(help="The suppression's ID (sp-…).")],
) -> None:
    """Remove a suppression: the rule alerts on those matches again."""
    try:
        application(ctx).remove_suppression(suppression_id)
    except TrailhoundError as error:
        raise fail(error) from error
    console.print(f"Removed {suppression_id}.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the suppression commands to the main app."""
    app.add_typer(suppressions_app, name="suppressions")
