"""Command-line front door of detection: ``detect``, ``alerts``, ``rules`` and ``config``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table
from rich.text import Text

from trailhound.cli.context import data_dir as _data_dir
from trailhound.cli.output import console, fail, jsonable, out, print_json, printable
from trailhound.data_dir import DataDir
from trailhound.errors import TrailhoundError

alerts_app = typer.Typer(help="List, show and triage alerts.", no_args_is_help=True)
rules_app = typer.Typer(
    help="The detection rules: list, coverage, enable, disable.", no_args_is_help=True
)
config_app = typer.Typer(help="Settings stored in the state database.", no_args_is_help=True)
SETTINGS = ("org-accounts", "retro-hunt")  # and output.<name> for each alert output
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


def _alert_table(alerts: list[dict[str, Any]]) -> None:
    rows = [
        (
            str(a["id"]),
            str(a["severity"]),
            str(a["status"]),
            str(a["title"]),
            str(a["actor"] or ""),
            str(a["account"] or ""),
            f"{a['last_seen']:%Y-%m-%d %H:%M}" if a["last_seen"] else "",
            str(a["count"]),
        )
        for a in alerts
    ]
    table = Table()
    for index, header in enumerate(
        ("id", "severity", "status", "title", "actor", "account", "last_seen", "count")
    ):
        if header in ("title", "actor"):  # the rest of the width; an ARN folds, whole
            table.add_column(header, overflow="fold", min_width=8)
        else:  # copied whole (an ID into alerts update): never cut, never wrapped
            widest = max([len(header), *(len(row[index]) for row in rows)])
            table.add_column(header, no_wrap=True, min_width=widest)
    for row in rows:
        table.add_row(*row)
    out.print(table)


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    """What an alert shows outside: every stored column but the bookkeeping ones."""
    from trailhound.incidents.alerts import ALERT_COLUMNS  # detection loads lazily: start-up

    hidden = ("created_at", "updated_at", "dedup_key")
    return {c: alert[c] for c in ALERT_COLUMNS if c not in hidden}


def detect(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option(help="Hunt over this much history (30d, 12h; all).")
    ] = "30d",
    rules: RulesOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Hunt over history with every enabled rule; prints every alert its matches belong to.

    Alerts already raised on ingest (or by an earlier hunt) are printed too, unchanged: the two
    modes find the same alerts, and nothing is stored twice.
    """
    from trailhound.detect.detection import Detection
    from trailhound.detect.rules_detector import SigmaDetector
    from trailhound.durations import parse_window
    from trailhound.incidents.alerts import AlertStore

    try:
        window = parse_window(since)
        data_dir = _data_dir(ctx)
        detection = Detection(data_dir, AlertStore.for_data_dir(data_dir), rule_dirs=rules or [])
        sigma = detection.detector(SigmaDetector.name)
        if isinstance(sigma, SigmaDetector):
            for problem in sigma.all_rules.problems:
                console.print(
                    Text.assemble(("skipped rule", "yellow"), printable(f" {problem}")),
                    highlight=False,
                )
        alerts = detection.hunt(window, report_all=True)
    except TrailhoundError as error:
        raise fail(error) from error
    if fmt == "json":
        print_json([_public(a) for a in alerts])
    else:
        _alert_table(alerts)
        console.print(f"{len(alerts):,} alerts", highlight=False)


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
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    fmt: FormatOption = "table",
) -> None:
    """List alerts, most recent activity first."""
    from trailhound.incidents.alerts import AlertStore
    from trailhound.store.state import StateDB

    alerts = AlertStore(StateDB(_data_dir(ctx).state_db)).list_alerts(
        status=status and status.lower(),
        rule_id=rule,
        severity=severity and severity.lower(),
        limit=limit,
    )
    if fmt == "json":
        print_json([_public(a) for a in alerts])
    else:
        _alert_table(alerts)


@alerts_app.command("show")
def alerts_show(ctx: typer.Context, alert_id: str, fmt: FormatOption = "table") -> None:
    """One alert with its events and comment trail."""
    from trailhound.incidents.alerts import AlertStore
    from trailhound.store.state import StateDB

    try:
        alert = AlertStore(StateDB(_data_dir(ctx).state_db)).get(alert_id)
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
    from trailhound.incidents.alerts import AlertStore
    from trailhound.store.state import StateDB

    try:
        alert = AlertStore(StateDB(_data_dir(ctx).state_db)).update(
            alert_id,
            status=status and status.lower(),
            comment=comment,
            author=author,
        )
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{alert['id']}: {alert['status']}", highlight=False)


def rule_name(rule: Any) -> str:
    """A rule's readable name: its file's stem (``aws_cloudtrail_disable_logging``)."""
    return Path(str(rule.path)).stem if rule.path else str(rule.id)


def resolve_rule(rules: Any, wanted: str) -> str:
    """The ID of the rule named ``wanted`` by its ID or its readable name (file stem)."""
    alerting: set[str] = set(rules.alerting_ids())
    if wanted in alerting:
        return wanted
    found = {r.id for r in rules.rules if r.id in alerting and rule_name(r) == wanted}
    found |= {c.id for c in rules.correlations if c.id in alerting and rule_name(c) == wanted}
    if len(found) == 1:
        return str(found.pop())
    if found:
        raise TrailhoundError(f"{len(found)} rules are named {wanted!r}: use the rule's ID")
    raise TrailhoundError(f"no rule {wanted!r}: see trailhound rules list")


@rules_app.command("list")
def rules_list(
    ctx: typer.Context,
    rules: RulesOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Every loaded rule (name, title, level, enabled, last fired), and the rules not loaded."""
    from trailhound.detect.base import DetectorContext
    from trailhound.detect.rules_detector import SigmaDetector
    from trailhound.incidents.alerts import AlertStore

    sigma = SigmaDetector(DetectorContext(_data_dir(ctx), rule_dirs=tuple(rules or ())))
    ruleset = sigma.all_rules
    enabled = set(sigma.ruleset.alerting_ids())
    fired = AlertStore(sigma.state).last_fired()
    rows: list[dict[str, Any]] = [
        {
            "name": rule_name(r),
            "id": r.id,
            "title": r.title,
            "level": r.level,
            "enabled": r.id in enabled,
            "last_fired": fired.get(r.id),
            "tactics": list(r.tactics),
            "techniques": list(r.techniques),
            "builtin": r.builtin,
            "path": r.path,
        }
        for r in ruleset.rules
        if r.generate
    ]
    if fmt == "json":
        print_json({"rules": rows, "problems": [str(p) for p in ruleset.problems]})
        return
    table = Table()
    widest = max([4, *(len(row["name"]) for row in rows)])
    table.add_column("name", no_wrap=True, min_width=widest)  # copied into rules enable
    table.add_column("title", overflow="fold", min_width=8)
    for header in ("level", "enabled", "last fired"):
        table.add_column(header, no_wrap=True)
    for row in rows:
        last = row["last_fired"]
        table.add_row(
            row["name"],
            row["title"],
            row["level"],
            "yes" if row["enabled"] else "no",
            f"{last:%Y-%m-%d %H:%M}" if last else "-",
        )
    out.print(table)
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
    from trailhound.detect.base import DetectorContext
    from trailhound.detect.coverage import build_coverage, render_html, render_text
    from trailhound.detect.rules_detector import SigmaDetector
    from trailhound.incidents.alerts import AlertStore

    sigma = SigmaDetector(DetectorContext(_data_dir(ctx), rule_dirs=tuple(rules or ())))
    coverage = build_coverage(sigma.ruleset, AlertStore(sigma.state).fired_rules())
    if fmt == "json":
        print_json(coverage)
    elif fmt == "html":
        sys.stdout.write(render_html(coverage))
    else:
        out.print(render_text(coverage), highlight=False)


def _set_enabled(ctx: typer.Context, rule_id: str, enabled: bool) -> None:
    from trailhound.detect.detection import Detection
    from trailhound.detect.rules_detector import SigmaDetector
    from trailhound.incidents.alerts import AlertStore

    try:
        data_dir = _data_dir(ctx)
        detection = Detection(data_dir, AlertStore.for_data_dir(data_dir))
        sigma = detection.detector(SigmaDetector.name)
        if not isinstance(sigma, SigmaDetector):
            raise TrailhoundError("the rule detector is not the built-in one")
        asked, rule_id = rule_id, resolve_rule(sigma.all_rules, rule_id)
        sigma.set_enabled(rule_id, enabled)
        alerts = detection.raise_matches(sigma, sigma.retro_hunt()) if enabled else []
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


def _check_setting(key: str, value: str, data_dir: DataDir) -> str:
    """The value to store for ``key``, validated; raises on an unknown key or a bad value."""
    from trailhound.durations import DurationError, parse_duration
    from trailhound.incidents.outputs.base import build_output, output_setting

    output = output_setting(key)
    if key not in SETTINGS and output is None:
        known = ", ".join([*SETTINGS, "output.<name>"])
        raise typer.BadParameter(f"unknown setting {key!r}: use one of {known}")
    try:
        if key == "retro-hunt":
            parse_duration(value)
        elif key == "org-accounts":
            accounts = [a.strip() for a in value.split(",") if a.strip()]
            bad = [a for a in accounts if not (len(a) == 12 and a.isdigit())]
            if bad or not accounts:
                raise typer.BadParameter(
                    f"not a 12-digit AWS account ID: {', '.join(bad) or repr(value)}",
                    param_hint=key,
                )
            value = ",".join(accounts)
        elif output is not None and value:
            build_output(output, value, data_dir)  # refuses a target that cannot work
    except DurationError as error:
        raise typer.BadParameter(error.message, param_hint=key) from error
    except TrailhoundError as error:
        raise fail(error) from error
    return value


@config_app.command("set")
def config_set(ctx: typer.Context, key: str, value: str) -> None:
    """Store a setting (org-accounts ID,ID…; retro-hunt 30d; output.jsonl FILE, "" for off)."""
    from trailhound.store.state import StateDB

    data_dir = _data_dir(ctx)
    value = _check_setting(key, value, data_dir)
    StateDB(data_dir.state_db).set_setting(key, value)
    out.print(f"{key} = {value}", highlight=False)


@config_app.command("get")
def config_get(ctx: typer.Context, key: str) -> None:
    """Print a setting (nothing when it is not set)."""
    from trailhound.store.state import StateDB

    value = StateDB(_data_dir(ctx).state_db).get_setting(key)
    out.print("" if value is None else value, highlight=False)


@config_app.command("list")
def config_list(ctx: typer.Context) -> None:
    """Print every setting that is set, and the known ones that are not."""
    from trailhound.incidents.outputs.base import output_setting
    from trailhound.store.state import StateDB

    stored = StateDB(_data_dir(ctx).state_db).settings()
    shown: dict[str, str | None] = {
        k: v for k, v in stored.items() if k in SETTINGS or output_setting(k) is not None
    }
    for key in SETTINGS:
        shown.setdefault(key, None)
    for key, value in sorted(shown.items()):
        out.print(f"{key} = {'(not set)' if value is None else value}", highlight=False)


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: str) -> None:
    """Remove a setting: its default applies again."""
    from trailhound.incidents.outputs.base import output_setting
    from trailhound.store.state import StateDB

    if key not in SETTINGS and output_setting(key) is None:
        raise typer.BadParameter(f"unknown setting {key!r}")
    removed = StateDB(_data_dir(ctx).state_db).delete_setting(key)
    out.print(f"{key} unset" if removed else f"{key} was not set", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``detect`` and the ``alerts``, ``rules`` and ``config`` groups."""
    app.command("detect")(detect)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(rules_app, name="rules")
    app.add_typer(config_app, name="config")
