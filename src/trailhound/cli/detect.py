"""Command-line front door of detection: ``detect``, ``alerts``, ``rules`` and ``config``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from trailhound.cli.context import data_dir as _data_dir
from trailhound.cli.output import console, fail, jsonable, out, print_json, printable
from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.data_dir import DataDir
    from trailhound.store.base import Backend

alerts_app = typer.Typer(help="List, show and triage alerts.", no_args_is_help=True)
rules_app = typer.Typer(
    help="The detection rules: list, coverage, enable, disable.", no_args_is_help=True
)
config_app = typer.Typer(help="Settings stored in the state database.", no_args_is_help=True)
SETTINGS = ("org-accounts", "retro-hunt")  # and output.<name> for each alert output


def _alert_table(alerts: list[dict[str, Any]]) -> None:
    table = Table("id", "severity", "status", "title", "actor", "account", "last_seen", "count")
    for a in alerts:
        table.add_row(
            a["id"],
            a["severity"],
            a["status"],
            a["title"],
            str(a["actor"] or ""),
            str(a["account"] or ""),
            jsonable(a["last_seen"]),
            str(a["count"]),
        )
    out.print(table)


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    """What an alert shows outside: every stored column but the bookkeeping ones."""
    from trailhound.incidents.alerts import ALERT_COLUMNS  # detection loads lazily: start-up

    hidden = ("created_at", "updated_at", "dedup_key")
    return {c: alert[c] for c in ALERT_COLUMNS if c not in hidden}


def _backend_opener(
    where: DataDir, engine: str, spark_master: str | None
) -> Callable[[], Backend] | None:
    """How a hunt opens its backend: None for the embedded DuckDB (the detectors' default)."""
    from trailhound.store.base import BACKENDS, open_backend

    if spark_master and engine != "spark":
        raise typer.BadParameter("--spark-master goes with --engine spark")
    known = sorted({"duckdb", *BACKENDS.names()})
    if engine not in known:
        raise typer.BadParameter(f"unknown engine {engine!r}: use {', '.join(known)}")
    if engine == "duckdb":
        return None
    options = {"master": spark_master} if spark_master else {}
    return functools.partial(open_backend, engine, where, **options)


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
) -> None:
    """Hunt over history with every enabled rule; prints every alert its matches belong to.

    Alerts already raised on ingest (or by an earlier hunt) are printed too, unchanged: the two
    modes find the same alerts, and nothing is stored twice. With ``--engine spark`` the same
    compiled rules run on Spark over the same lake; the alerts go to the same state database.
    """
    from trailhound.detect.detection import Detection
    from trailhound.detect.rules_detector import SigmaDetector
    from trailhound.durations import parse_window
    from trailhound.incidents.alerts import AlertStore

    try:
        window = parse_window(since)
        data_dir = _data_dir(ctx)
        detection = Detection(
            data_dir,
            AlertStore.for_data_dir(data_dir),
            rule_dirs=rules or [],
            open_backend=_backend_opener(data_dir, engine, spark_master),
        )
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
    status: Annotated[str | None, typer.Option(help="new, in_progress, resolved, …")] = None,
    severity: Annotated[str | None, typer.Option(help="Only this severity.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule ID.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List alerts, most recent activity first."""
    from trailhound.incidents.alerts import AlertStore
    from trailhound.store.state import StateDB

    alerts = AlertStore(StateDB(_data_dir(ctx).state_db)).list_alerts(
        status=status,
        rule_id=rule,
        severity=severity,
        limit=limit,
    )
    if fmt == "json":
        print_json([_public(a) for a in alerts])
    else:
        _alert_table(alerts)


@alerts_app.command("show")
def alerts_show(
    ctx: typer.Context, alert_id: str, fmt: Annotated[str, typer.Option("--format", "-f")] = "table"
) -> None:
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
    status: Annotated[
        str | None, typer.Option(help="new, in_progress, resolved or false_positive.")
    ] = None,
    comment: Annotated[str | None, typer.Option(help="Add a comment to the trail.")] = None,
    author: Annotated[str, typer.Option(help="Who is commenting.")] = "analyst",
) -> None:
    """Change an alert's status and/or add a comment."""
    from trailhound.incidents.alerts import AlertStore
    from trailhound.store.state import StateDB

    try:
        alert = AlertStore(StateDB(_data_dir(ctx).state_db)).update(
            alert_id,
            status=status,
            comment=comment,
            author=author,
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
    from trailhound.detect.engine import load_rules

    ruleset = load_rules(rules or [])
    rows = [
        {
            "id": r.id,
            "title": r.title,
            "level": r.level,
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
    table = Table("id", "level", "title", "techniques")
    for rule in ruleset.rules:
        if rule.generate:
            table.add_row(rule.id, rule.level, rule.title, ", ".join(rule.techniques))
    out.print(table)
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
        sigma.set_enabled(rule_id, enabled)
        alerts = detection.raise_matches(sigma, sigma.retro_hunt()) if enabled else []
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
    """Store a setting (org-accounts ID,ID…; retro-hunt 30d; output.jsonl FILE, "" for off)."""
    from trailhound.durations import DurationError, parse_duration
    from trailhound.incidents.outputs.base import build_output, output_setting
    from trailhound.store.state import StateDB

    data_dir = _data_dir(ctx)
    output = output_setting(key)
    if key not in SETTINGS and output is None:
        known = ", ".join([*SETTINGS, "output.<name>"])
        raise typer.BadParameter(f"unknown setting {key!r}: use one of {known}")
    try:
        if key == "retro-hunt":
            parse_duration(value)
        if output is not None and value:
            build_output(output, value, data_dir)  # refuses a target that cannot work
    except DurationError as error:
        raise typer.BadParameter(error.message, param_hint=key) from error
    except TrailhoundError as error:
        raise fail(error) from error
    StateDB(data_dir.state_db).set_setting(key, value)
    out.print(f"{key} = {value}", highlight=False)


@config_app.command("get")
def config_get(ctx: typer.Context, key: str) -> None:
    """Print a setting."""
    from trailhound.store.state import StateDB

    value = StateDB(_data_dir(ctx).state_db).get_setting(key)
    out.print("" if value is None else value, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``detect`` and the ``alerts``, ``rules`` and ``config`` groups."""
    app.command("detect")(detect)
    app.add_typer(alerts_app, name="alerts")
    app.add_typer(rules_app, name="rules")
    app.add_typer(config_app, name="config")
