"""``trailhound ledger``: are the log files complete and untampered, according to their digests?

The command checks every log file ingested against the CloudTrail digest files it finds — those
the SQS collector kept under ``<data_dir>/digests`` and any folder given with ``--digests`` —
prints what is missing, modified, extra or late, what is wrong with the digests themselves and
which account-regions went silent, and raises alerts for tampering and silence. It exits 0 when
all is well, 1 when it found something and 2 when it could not run.

Digest signatures are checked with CloudTrail's public keys: ``--public-keys FILE`` (a saved
``aws cloudtrail list-public-keys`` output) checks with them and saves them in the data
directory, and every later run uses the saved ones. Without any, the report says plainly that
signatures were not checked, and ``--strict`` makes that exit 1.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from trailhound.cli.context import application
from trailhound.cli.output import console, fail, new_table, out, print_json, printable
from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.detect.ledger import LedgerReport

FORMATS = ("table", "json")
UNCHECKED = (
    "Digest signatures were NOT checked: no public keys. Give a saved "
    "`aws cloudtrail list-public-keys` output once with --public-keys FILE (it is kept for "
    "later runs); until then a forged digest goes unnoticed."
)


def _duration(text: str | None, option: str) -> timedelta | None:
    """A duration option (``7d``, ``90m``); None for no value, ``off`` or ``all``."""
    from trailhound.durations import DurationError, parse_window

    try:
        return parse_window(text)
    except DurationError as error:
        raise typer.BadParameter(error.message, param_hint=option) from error


def _print_table(report: LedgerReport) -> None:
    counts = new_table("kind", "count", title="Ledger")
    for kind, number in report.counts.items():
        counts.add_row(kind, f"{number:,}", style="red" if number else None)
    out.print(counts)
    signatures = ", ".join(f"{n:,} {s}" for s, n in sorted(report.signatures.items())) or "none"
    out.print(
        f"{report.digests:,} digests ({signatures}); {report.files_listed:,} log files listed, "
        f"{report.files_seen:,} seen.",
        highlight=False,
    )
    if not report.signatures_checked:
        out.print(UNCHECKED, style="yellow", highlight=False, markup=False)
    if report.clean:
        out.print(
            "No findings."
            if report.signatures_checked
            else "Log files match their digests and the chain holds; the digests are unverified."
        )
        return
    findings = new_table(title="Findings")
    for header in ("kind", "account", "region"):
        findings.add_column(header, no_wrap=True)  # an account ID is copied whole
    findings.add_column("file", overflow="fold")  # a long name folds, never loses characters
    findings.add_column("detail", overflow="fold")
    for finding in report.findings:
        findings.add_row(
            finding.kind.value,
            finding.account,
            finding.region,
            finding.uri.replace("\\", "/").rsplit("/", 1)[-1],  # the name: the full URI is in json
            finding.detail,
        )
    out.print(findings)


def ledger(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option("--account", help="Only this account ID.")] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only digests and log files of the last 7d, 24h, …"),
    ] = None,
    digests: Annotated[
        list[Path] | None,
        typer.Option(
            "--digests",
            help="A folder (or file) of CloudTrail digest files; repeatable. The digests the "
            "collector saved are always read.",
        ),
    ] = None,
    public_keys: Annotated[
        Path | None,
        typer.Option(
            "--public-keys",
            help="A saved `aws cloudtrail list-public-keys` output, to check digest signatures; "
            "saved in the data directory for later runs.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Exit 1 when signatures could not be checked (no public keys).")
    ] = False,
    late_after: Annotated[
        str,
        typer.Option(help="A file ingested this long after its digest's end is late; or off."),
    ] = "1h",
    silence: Annotated[
        str,
        typer.Option(help="An account-region with no log file for this long is silent; or off."),
    ] = "2h",
    alerts: Annotated[bool, typer.Option(help="Raise alerts for tampering and silence.")] = True,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Check the log files ingested against CloudTrail's digest files: completeness, tampering."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    window = _duration(since, "--since")
    app = application(ctx)
    try:
        checked = app.check_ledger(
            digests or [],
            public_keys=public_keys.read_bytes() if public_keys is not None else None,
            since=window,
            account=account,
            late_after=_duration(late_after, "--late-after"),
            silence=_duration(silence, "--silence"),
            raise_alerts=alerts,
        )
    except TrailhoundError as error:
        raise fail(error) from error
    except OSError as error:
        raise fail(TrailhoundError(str(error))) from error
    report, raised, saved = checked.report, checked.raised, checked.keys_saved
    missing_roots = [root for root in digests or [] if not root.exists()]
    for root in missing_roots:
        console.print(
            Text.assemble(("warning:", "yellow"), printable(f" no such folder {root}")),
            highlight=False,
        )
    if saved:
        from trailhound.detect.ledger import public_keys_file

        console.print(
            f"{saved} public key(s) saved in {public_keys_file(app.data_dir)}.", highlight=False
        )
    if fmt == "json":
        print_json([f.as_dict() for f in report.findings])
        if not report.signatures_checked:
            console.print(UNCHECKED, style="yellow", highlight=False, markup=False)
    else:
        _print_table(report)
        if raised:
            console.print(f"{raised} alert(s) raised or updated.", highlight=False)
    unchecked = strict and not report.signatures_checked
    raise typer.Exit(0 if report.clean and not unchecked else 1)


def register(app: typer.Typer) -> None:
    """Add ``ledger``."""
    app.command()(ledger)
