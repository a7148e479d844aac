"""Command-line front door of detection: ``detect``, ``alerts``, ``rules`` and ``config``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.text import Text

from trailhound.cli.context import application
from trailhound.cli.output import console, fail, jsonable, new_table, out, print_json, printable
from trailhound.errors import SettingError, TrailhoundError

alerts_app = typer.Typer(help="List, show and triage alerts.", no_args_is_help=True)
rules_app = typer.Typer(
    help="The detection rules: list, coverage, enable, disable.", no_args_is_help=True
)
config_app = typer.Typer(help="Settings stored in the state database.", no_args_is_help=True)
# Closed lists of values, told in the help and matched whatever the case.
Severity = Literal["informational", "low", "medium", "high", "critical"]
Status = Literal["new", "in_progress", "resolved", "false_positive"]
FormatOption = Annotated[
    Literal["table", "json"], typer.Option("--format", "-f", case_sensitive=False)
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        exists=True,
        file_okay=False,
        metavar="FOLDER",
        help="Extra rule folder (repeatable), added to the built-in pack.",
    ),
]
_ALERT_COLUMNS = (
    "id", "severity", "status", "title", "principal", "account", "last_seen", "count", "sessions",
)  # fmt: skip
_FOLDED = ("title", "principal")  # the rest of the width; an ARN folds, whole


def _alert_table(alerts: list[dict[str, Any]]) -> None:
    rows = [
        (
            str(a["id"]),
            str(a["severity"]),
            str(a["status"]),
            printable(str(a["title"])),
            printable(str(a.get("principal") or a["actor"] or "")),
            str(a["account"] or ""),
            f"{a['last_seen']:%Y-%m-%d %H:%M}" if a["last_seen"] else "",
            str(a["count"]),
            str(len(a.get("sessions") or [])),
        )
        for a in alerts
    ]
    table = new_table()
    for index, header in enumerate(_ALERT_COLUMNS):
        if header in _FOLDED:
            table.add_column(header, overflow="fold", min_width=8)
        else:  # copied whole (an ID into alerts update): never cut, never wrapped
            widest = max([len(header), *(len(row[index]) for row in rows)])
            table.add_column(header, no_wrap=True, min_width=widest)
    for row in rows:
        table.add_row(*row)
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
    rules: RulesOption = None,
    fmt: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="Print at most this many alerts (0: all).")] = 100,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="Hunt on duckdb (here, the default) or spark (pip install 'trailhound[spark]').",
        ),
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="With --engine spark: the cluster (spark://host:7077, yarn, sc://host:15002 for "
            "Spark Connect); default local[2], or $SPARK_REMOTE.",
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(help="rules or analytics: run only the rules, or only the analytics."),
    ] = None,
) -> None:
    """Hunt over history with every enabled rule and analytic; prints the alerts its matches
    belong to (``source``: rule, analytics…).

    Alerts already raised on ingest (or by an earlier hunt) are printed too, unchanged: the two
    modes find the same alerts, and nothing is stored twice. The most severe come first;
    ``alerts list`` pages through all of them. With ``--engine spark`` the same compiled rules
    run on Spark over the same lake; the alerts go to the same state database.
    """
    from trailhound.cli.query import engine_options

    app = application(ctx)
    options = engine_options(app, engine, spark_master)
    try:
        hunt = app.hunt(
            since,
            rule_dirs=rules or [],
            report_all=True,
            engine=engine,
            engine_options=options,
            only=only,
        )
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
        print_json([_public_alert(a) for a in shown])
    else:
        _alert_table(shown)
    _showing(len(shown), 0, len(alerts))


@alerts_app.command("list")
def alerts_list(
    ctx: typer.Context,
    status: Annotated[
        Status | None, typer.Option(case_sensitive=False, help="Only this status.")
    ] = None,
    severity: Annotated[
        Severity | None, typer.Option(case_sensitive=False, help="Only this severity.")
    ] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule ID.")] = None,
    principal: Annotated[str | None, typer.Option(help="Only this principal (ARN).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    fmt: FormatOption = "table",
) -> None:
    """List alerts, most recent activity first, a page at a time."""
    app = application(ctx)
    filters = {
        "status": status and status.lower(),
        "rule_id": rule,
        "severity": severity and severity.lower(),
        "principal": principal,
    }
    alerts = app.list_alerts(**filters, limit=limit, offset=offset)
    if fmt == "json":
        print_json([_public_alert(a) for a in alerts])
    else:
        _alert_table(alerts)
    _showing(len(alerts), offset, app.count_alerts(**filters))


@alerts_app.command("show")
def alerts_show(ctx: typer.Context, alert_id: str, fmt: FormatOption = "table") -> None:
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
    status: Annotated[Status | None, typer.Option(case_sensitive=False)] = None,
    comment: Annotated[str | None, typer.Option(help="Add a comment to the trail.")] = None,
    author: Annotated[str, typer.Option(help="Who is commenting.")] = "analyst",
) -> None:
    """Change an alert's status and/or add a comment."""
    try:
        alert = application(ctx).update_alert(
            alert_id, status=status and status.lower(), comment=comment, author=author
        )
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{alert['id']}: {alert['status']}", highlight=False)


@rules_app.command("list")
def rules_list(
    ctx: typer.Context,
    rules: RulesOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Every loaded rule (name, title, level, kind, enabled, last fired), and the rules not
    loaded."""
    from trailhound.detect.base import rule_name

    states = application(ctx).rule_states(rules or [])
    ruleset = states.ruleset
    listed = [r for r in ruleset.rules if r.generate or r.signal]
    rows: list[dict[str, Any]] = [
        {
            "name": rule_name(r),
            "id": r.id,
            "title": r.title,
            "level": r.level,
            "enabled": r.id in states.enabled,
            "last_fired": states.last_fired.get(r.id),
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
    table = new_table()
    widest = max([4, *(len(row["name"]) for row in rows)])
    table.add_column("name", no_wrap=True, min_width=widest)  # copied into rules enable
    table.add_column("title", overflow="fold", min_width=8)
    for header in ("level", "kind", "enabled", "last fired"):
        table.add_column(header, no_wrap=True)
    table.add_column("techniques", overflow="fold")
    for row in rows:
        last = row["last_fired"]
        table.add_row(
            row["name"],
            printable(row["title"]),
            row["level"],
            row["kind"],
            "yes" if row["enabled"] else "no",
            f"{last:%Y-%m-%d %H:%M}" if last else "-",
            ", ".join(row["techniques"]),
        )
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
    rules: RulesOption = None,
    fmt: Annotated[
        Literal["table", "json", "html"], typer.Option("--format", "-f", case_sensitive=False)
    ] = "table",
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
        asked, (rule_id, alerts) = rule_id, application(ctx).switch_rule(rule_id, enabled)
    except TrailhoundError as error:
        raise fail(error) from error
    state = "enabled" if enabled else "disabled"
    named = rule_id if asked == rule_id else f"{asked} ({rule_id})"
    out.print(
        f"{named} {state}" + (f"; retro-hunt raised {len(alerts)} alerts" if enabled else ""),
        highlight=False,
    )


@rules_app.command("enable")
def rules_enable(
    ctx: typer.Context,
    rule_id: Annotated[str, typer.Argument(metavar="RULE", help="The rule's name or ID.")],
) -> None:
    """Enable a rule and retro-hunt with it over the look-back window."""
    _set_enabled(ctx, rule_id, True)


@rules_app.command("disable")
def rules_disable(
    ctx: typer.Context,
    rule_id: Annotated[str, typer.Argument(metavar="RULE", help="The rule's name or ID.")],
) -> None:
    """Disable a rule."""
    _set_enabled(ctx, rule_id, False)


@config_app.command("set")
def config_set(ctx: typer.Context, key: str, value: str) -> None:
    """Store a setting (org-accounts ID,ID…; retro-hunt, intel-retro-hunt, analytics-training 7d;
    incident-window 24h; signal-rules ID,-ID…; output.jsonl FILE, "" for off)."""
    from trailhound.durations import DurationError

    try:
        value = application(ctx).set_setting(key, value)
    except SettingError as error:
        raise typer.BadParameter(str(error)) from error
    except DurationError as error:
        raise typer.BadParameter(error.message, param_hint=key) from error
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{key} = {value}", highlight=False)


@config_app.command("get")
def config_get(ctx: typer.Context, key: str) -> None:
    """Print a setting (nothing when it is not set)."""
    value = application(ctx).get_setting(key)
    out.print("" if value is None else value, highlight=False)


@config_app.command("list")
def config_list(ctx: typer.Context) -> None:
    """Print every setting that is set, and the known ones that are not."""
    for key, value in application(ctx).list_settings().items():
        shown = "(not set)" if value is None else printable(value)
        out.print(f"{key} = {shown}", highlight=False)


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: str) -> None:
    """Remove a setting: its default applies again."""
    try:
        removed = application(ctx).unset_setting(key)
    except SettingError as error:
        raise typer.BadParameter(str(error)) from error
    out.print(f"{key} unset" if removed else f"{key} was not set", highlight=False)


def _public_alert(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert as JSON output shows it (the application's one public form)."""
    from trailhound.app import Trailhound

    return Trailhound.public_alert(alert)


def register(app: typer.Typer) -> None:
    """Add ``detect`` and the ``alerts``, ``rules`` and ``config`` groups."""
    app.command("detect")(detect)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(rules_app, name="rules")
    app.add_typer(config_app, name="config")
