"""Command-line front door of detection: ``detect``, ``alerts``, ``rules`` and ``config``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from trailhound.app import SettingError, Trailhound
from trailhound.cli.context import application
from trailhound.cli.output import console, fail, jsonable, out, print_json, printable
from trailhound.errors import TrailhoundError

alerts_app = typer.Typer(help="List, show and triage alerts.", no_args_is_help=True)
rules_app = typer.Typer(
    help="The detection rules: list, coverage, enable, disable.", no_args_is_help=True
)
config_app = typer.Typer(help="Settings stored in the state database.", no_args_is_help=True)


def _alert_table(alerts: list[dict[str, Any]]) -> None:
    table = Table(
        "id", "severity", "status", "title", "principal", "account", "last_seen", "count",
        "sessions",
    )  # fmt: skip
    for a in alerts:
        table.add_row(
            a["id"],
            a["severity"],
            a["status"],
            printable(a["title"]),
            printable(str(a.get("principal") or a["actor"] or "")),
            str(a["account"] or ""),
            jsonable(a["last_seen"]),
            str(a["count"]),
            str(len(a.get("sessions") or [])),
        )
    out.print(table)


def _showing(shown: int, offset: int, total: int, what: str = "alerts") -> None:
    """The paging line: which of how many were printed (never a silent cut)."""
    first = offset + 1 if shown else 0
    console.print(
        f"showing {first:,}–{offset + shown:,} of {total:,} {what}"
        + (" (--offset/--limit for more)" if offset + shown < total else ""),
        highlight=False,
    )


def detect(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option(help="Hunt over this much history (30d, 12h; all).")
    ] = "30d",
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="Extra rule folder (repeatable), added to the built-in pack."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    limit: Annotated[int, typer.Option(help="Print at most this many alerts (0: all).")] = 100,
    only: Annotated[
        str | None,
        typer.Option(help="rules or analytics: run only the rules, or only the analytics."),
    ] = None,
) -> None:
    """Hunt over history with every enabled rule and analytic; prints the alerts its matches
    belong to (``source``: rule, analytics…).

    Alerts already raised on ingest (or by an earlier hunt) are printed too, unchanged: the two
    modes find the same alerts, and nothing is stored twice. The most severe come first;
    ``alerts list`` pages through all of them.
    """
    try:
        hunt = application(ctx).hunt(since, rule_dirs=rules or [], report_all=True, only=only)
    except TrailhoundError as error:
        raise fail(error) from error
    for problem in hunt.problems:
        console.print(
            Text.assemble(("skipped rule", "yellow"), printable(f" {problem}")), highlight=False
        )
    alerts = hunt.alerts
    from trailhound.detect.base import LEVELS

    rank = {level: i for i, level in enumerate(LEVELS)}
    alerts.sort(key=lambda a: (-rank.get(a["severity"], 0), -a["count"], a["id"]))
    shown = alerts[:limit] if limit > 0 else alerts
    if fmt == "json":
        print_json([Trailhound.public_alert(a) for a in shown])
    else:
        _alert_table(shown)
    _showing(len(shown), 0, len(alerts))


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="new, in_progress, resolved, …")] = None,
    severity: Annotated[str | None, typer.Option(help="Only this severity.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule ID.")] = None,
    principal: Annotated[str | None, typer.Option(help="Only this principal (ARN).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List alerts, most recent activity first, a page at a time."""
    app = application(ctx)
    filters = {"status": status, "rule_id": rule, "severity": severity, "principal": principal}
    alerts = app.list_alerts(**filters, limit=limit, offset=offset)
    if fmt == "json":
        print_json([Trailhound.public_alert(a) for a in alerts])
    else:
        _alert_table(alerts)
    _showing(len(alerts), offset, app.count_alerts(**filters))


@alerts_app.command("show")
def alerts_show(
    ctx: typer.Context, alert_id: str, fmt: Annotated[str, typer.Option("--format", "-f")] = "table"
) -> None:
    """One alert with its events and comment trail."""
    try:
        alert = application(ctx).get_alert(alert_id)
    except TrailhoundError as error:
        raise fail(error) from error
    alert.pop("dedup_key", None)
    if fmt == "json":
        print_json(alert)
        return
    for key, value in alert.items():
        if key != "comments":
            shown = "" if value is None else str(jsonable(value))
            out.print(Text.assemble((key, "bold"), ": ", printable(shown)), highlight=False)
    for comment in alert["comments"]:
        out.print(
            f"  {jsonable(comment['at'])} {comment['author']}: {comment['text']}", highlight=False
        )


@alerts_app.command("update")
def alerts_update(
    ctx: typer.Context,
    alert_id: str,
    status: Annotated[
        str | None, typer.Option(help="new, in_progress, resolved or false_positive.")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Add a comment to the trail.")] = None,
    author: Annotated[str, typer.Option(help="Who is commenting.")] = "analyst",
) -> None:
    """Change an alert's status and/or add a comment."""
    try:
        alert = application(ctx).update_alert(
            alert_id, status=status, comment=comment, author=author
        )
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{alert['id']}: {alert['status']}", highlight=False)


@rules_app.command("list")
def rules_list(
    ctx: typer.Context,
    rules: Annotated[list[Path] | None, typer.Option("--rules")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f")] = "table",
) -> None:
    """Every loaded rule, and the rules that could not be loaded."""
    ruleset = application(ctx).rules(rules or [])
    listed = [r for r in ruleset.rules if r.generate or r.signal]
    rows = [
        {
            "id": r.id,
            "title": r.title,
            "level": r.level,
            "tactics": list(r.tactics),
            "techniques": list(r.techniques),
            "builtin": r.builtin,
            "path": r.path,
            "kind": "signal" if r.signal else "alert",
            "group_by": list(r.alert_group_by),
            "threshold": r.threshold,
            "dedup_period_minutes": r.suppression.total_seconds() / 60,
        }
        for r in listed
    ]
    if fmt == "json":
        print_json({"rules": rows, "problems": [str(p) for p in ruleset.problems]})
        return
    table = Table("id", "level", "kind", "title", "techniques")
    for rule in listed:
        kind = "signal" if rule.signal else "alert"
        table.add_row(rule.id, rule.level, kind, rule.title, ", ".join(rule.techniques))
    out.print(table)
    signals = sum(r.signal for r in listed)
    console.print(f"{len(listed) - signals:,} alerting rules, {signals:,} signals", highlight=False)
    for problem in ruleset.problems:
        console.print(
            Text.assemble(("skipped", "yellow"), printable(f" {problem}")), highlight=False
        )


@rules_app.command("coverage")
def rules_coverage(
    ctx: typer.Context,
    rules: Annotated[list[Path] | None, typer.Option("--rules")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or html.")] = "table",
) -> None:
    """The ATT&CK matrix (tactics × techniques) of the enabled rules, and which have fired."""
    from trailhound.detect.coverage import render_html, render_text

    coverage = application(ctx).coverage(rules or [])
    if fmt == "json":
        print_json(coverage)
    elif fmt == "html":
        sys.stdout.write(render_html(coverage))
    else:
        out.print(render_text(coverage), highlight=False)


def _set_enabled(ctx: typer.Context, rule_id: str, enabled: bool) -> None:
    try:
        alerts = application(ctx).set_rule_enabled(rule_id, enabled)
    except TrailhoundError as error:
        raise fail(error) from error
    state = "enabled" if enabled else "disabled"
    out.print(
        f"{rule_id} {state}" + (f"; retro-hunt raised {len(alerts)} alerts" if enabled else ""),
        highlight=False,
    )


@rules_app.command("enable")
def rules_enable(ctx: typer.Context, rule_id: str) -> None:
    """Enable a rule and retro-hunt with it over the look-back window."""
    _set_enabled(ctx, rule_id, True)


@rules_app.command("disable")
def rules_disable(ctx: typer.Context, rule_id: str) -> None:
    """Disable a rule."""
    _set_enabled(ctx, rule_id, False)


@config_app.command("set")
def config_set(ctx: typer.Context, key: str, value: str) -> None:
    """Store a setting (org-accounts ID,ID…; retro-hunt, intel-retro-hunt, analytics-training 7d;
    incident-window 24h; signal-rules ID,-ID…; output.jsonl FILE, "" for off)."""
    from trailhound.durations import DurationError

    try:
        application(ctx).set_setting(key, value)
    except SettingError as error:
        raise typer.BadParameter(str(error)) from error
    except DurationError as error:
        raise typer.BadParameter(error.message, param_hint=key) from error
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{key} = {value}", highlight=False)


@config_app.command("get")
def config_get(ctx: typer.Context, key: str) -> None:
    """Print a setting."""
    value = application(ctx).get_setting(key)
    out.print("" if value is None else value, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``detect`` and the ``alerts``, ``rules`` and ``config`` groups."""
    app.command("detect")(detect)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(rules_app, name="rules")
    app.add_typer(config_app, name="config")
