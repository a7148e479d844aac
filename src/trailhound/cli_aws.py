"""The AWS commands: ``trailhound integration …``, ``trailhound setup aws`` and ``collect``."""

from __future__ import annotations

import json
import sys
import threading
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from trailhound.cli_output import console, fail, out, printable
from trailhound.data_dir import DataDir
from trailhound.errors import TrailhoundError
from trailhound.sources.integrations import (
    COLLECTABLE,
    Integration,
    IntegrationState,
    IntegrationStore,
)
from trailhound.store.state import StateDB

integration_app = typer.Typer(
    help="Connect AWS accounts through an SQS queue of notifications.", no_args_is_help=True
)
setup_app = typer.Typer(
    help="Generate what an AWS account needs to send its CloudTrail.", no_args_is_help=True
)


def _data_dir() -> DataDir:
    from trailhound import cli  # the front door owns --data-dir; imported late to avoid a cycle

    return cli._data_dir()


def _store() -> IntegrationStore:
    return IntegrationStore(StateDB(_data_dir().state_db))


NameArg = Annotated[str, typer.Argument(help="The integration's name.")]
EXTERNAL_ID_ENV_VAR = "TRAILHOUND_EXTERNAL_ID"


def _read_secret(label: str) -> str:
    """A secret typed at a hidden prompt, or the first line of standard input when piped."""
    if sys.stdin.isatty():
        return str(typer.prompt(label, hide_input=True)).strip()
    return sys.stdin.readline().strip()


@integration_app.command("add")
def add(
    name: NameArg,
    queue_url: Annotated[str, typer.Option(help="The SQS queue receiving the notifications.")],
    role_arn: Annotated[str | None, typer.Option(help="Role to assume in the account.")] = None,
    external_id: Annotated[
        str | None,
        typer.Option(
            envvar=EXTERNAL_ID_ENV_VAR,
            show_envvar=True,
            help="External ID the role requires; - to type it (hidden) or pipe it in. Prefer "
            "the environment variable or - : a value on the command line shows in ps and in the "
            "shell's history.",
        ),
    ] = None,
    region: Annotated[str | None, typer.Option(help="Default: the queue URL's region.")] = None,
    accounts: Annotated[str, typer.Option(help="Keep only these accounts: ID,ID.")] = "",
    endpoint_url: Annotated[str | None, typer.Option(help="VPC endpoint or test server.")] = None,
    kms_note: Annotated[str | None, typer.Option(help="A note on the KMS key in use.")] = None,
) -> None:
    """Add an integration; check it with ``trailhound integration test NAME``."""
    if external_id == "-":
        external_id = _read_secret("External ID")
    try:
        stored = _store().add(
            Integration.create(
                name,
                queue_url,
                region=region,
                role_arn=role_arn,
                external_id=external_id,
                endpoint_url=endpoint_url,
                accounts=accounts,
                kms_note=kms_note,
            )
        )
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(
        f"Added integration {stored.name} ({stored.region}, "
        f"{'role ' + stored.role_arn if stored.role_arn else 'default credentials'}).",
        highlight=False,
    )


@integration_app.command("list")
def list_integrations() -> None:
    """List integrations with their state and counters."""
    table = Table(
        "name",
        "state",
        "region",
        "queue",
        "accounts",
        "last message",
        "objects",
        "events",
        "errors",
        "poison",
    )
    for item in _store().list_integrations():
        table.add_row(
            item.name,
            item.state.value,
            item.region,
            item.queue_url,
            ",".join(item.accounts) or "all",
            item.last_message_at.isoformat() if item.last_message_at else "-",
            f"{item.objects_ingested:,}",
            f"{item.events_ingested:,}",
            f"{item.errors:,}",
            f"{item.poison:,}",
        )
    out.print(table)


@integration_app.command("show")
def show(name: NameArg) -> None:
    """Show one integration (the external ID stays hidden) and its poison objects."""
    try:
        store = _store()
        view = store.get(name).public_view()
    except TrailhoundError as error:
        raise fail(error) from error
    for key, value in view.items():
        out.print(f"{key:18} {'' if value is None else value}", highlight=False)
    for _, uri, reason, when in store.poison_objects(name)[:20]:
        out.print(f"poison             {when:%Y-%m-%d %H:%M} {uri}: {reason}", highlight=False)


def _set_state(name: str, state: IntegrationState, verb: str) -> None:
    try:
        _store().set_state(name, state)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{verb} {name}.", highlight=False)


@integration_app.command("pause")
def pause(name: NameArg) -> None:
    """Stop reading the queue; messages wait there, nothing is lost."""
    _set_state(name, IntegrationState.PAUSED, "Paused")


@integration_app.command("resume")
def resume(name: NameArg) -> None:
    """Read the queue again."""
    _set_state(name, IntegrationState.ENABLED, "Resumed")


@integration_app.command("remove")
def remove(name: NameArg) -> None:
    """Remove an integration (its counters and poison records are kept)."""
    try:
        _store().remove(name)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Removed {name}.", highlight=False)


@integration_app.command("test")
def test(name: NameArg) -> None:
    """Assume the role, read the queue, receive without deleting, read a pending object."""
    from trailhound.sources.connection_test import check_connection

    try:
        integration = _store().get(name)
    except TrailhoundError as error:
        raise fail(error) from error
    report = check_connection(integration)
    for step in report.steps:
        mark = ("ok  ", "green") if step.ok else ("FAIL", "red")
        console.print(
            Text.assemble(mark, printable(f" {step.name}: {step.detail}")), highlight=False
        )
    out.print(report.message, highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@setup_app.command("aws")
def setup_aws(
    account: Annotated[str, typer.Option(help="The account to connect (12 digits).")],
    operator_account: Annotated[
        str,
        typer.Option(help="The account (or role ARN) trailhound runs as; the role trusts only it."),
    ],
    organization: Annotated[bool, typer.Option(help="An organization trail.")] = False,
    organization_id: Annotated[str | None, typer.Option(help="o-… (organization trail).")] = None,
    existing_bucket: Annotated[str | None, typer.Option(help="Use this trail bucket.")] = None,
    kms: Annotated[bool, typer.Option(help="Encrypt the logs with a new KMS key.")] = False,
    network_activity: Annotated[
        str | None, typer.Option(help="VPC endpoint network activity events: all or denied.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="cloudformation, cli or policy.")] = (
        "cloudformation"
    ),
    template_format: Annotated[str, typer.Option(help="json or yaml.")] = "json",
    region: Annotated[str, typer.Option(help="Region of the queue and bucket.")] = "us-east-1",
    external_id: Annotated[str | None, typer.Option(help="Default: a new random one.")] = None,
) -> None:
    """Print a CloudFormation template, an AWS CLI script or the policy JSON."""
    from trailhound.setup_aws.cli_script import build_policies, build_script
    from trailhound.setup_aws.cloudformation import SetupOptions, build_template, render

    try:
        options = SetupOptions(
            account=account,
            operator=operator_account,
            existing_bucket=existing_bucket,
            organization_id=(organization_id or "o-*") if organization else None,
            kms=kms,
            network_activity=network_activity,
            **({"external_id": external_id} if external_id else {}),
        )
    except TrailhoundError as error:
        raise fail(error) from error
    if fmt == "cloudformation":
        out.print(
            render(build_template(options), template_format), end="", highlight=False, markup=False
        )
    elif fmt == "cli":
        out.print(build_script(options, region), end="", highlight=False, markup=False)
    elif fmt == "policy":
        out.print(
            json.dumps(build_policies(options, region), indent=2), highlight=False, markup=False
        )
    else:
        raise typer.BadParameter(f"unknown format {fmt!r}: use cloudformation, cli or policy")
    if fmt != "cli":  # the script carries it already
        console.print(
            "External ID (the template's ExternalId parameter, and "
            f"{EXTERNAL_ID_ENV_VAR} or `--external-id -` of `trailhound integration add`; "
            "keep it secret): "
            f"{options.external_id}",
            highlight=False,
            markup=False,
        )


def collect(
    integration: Annotated[
        list[str] | None,
        typer.Option("--integration", help="Only these (repeatable); default: all enabled."),
    ] = None,
    once: Annotated[bool, typer.Option(help="Drain the queues, print a summary, exit.")] = False,
    workers: Annotated[int, typer.Option(help="Objects downloaded in parallel.")] = 4,
    max_receives: Annotated[int, typer.Option(help="Deliveries before an object is poison.")] = 5,
) -> None:
    """Collect CloudTrail from the integrations' queues until stopped (SIGTERM/SIGINT)."""
    from trailhound.detect.hooks import detection_hook
    from trailhound.sources.sqs_collector import CollectorOptions, graceful_shutdown
    from trailhound.sources.sqs_collector import collect as run_collect

    store = _store()
    try:
        chosen = (
            [store.get(n) for n in integration]
            if integration
            else [i for i in store.list_integrations() if i.state in COLLECTABLE]
        )
    except TrailhoundError as error:
        raise fail(error) from error
    if not chosen:
        raise fail(TrailhoundError("no integration to collect: trailhound integration add …"))
    stop = threading.Event()
    options = CollectorOptions(workers=workers, max_receives=max_receives)
    console.print(
        f"Collecting {', '.join(i.name for i in chosen)}"
        + (" until the queues are empty" if once else "; Ctrl-C to stop"),
        highlight=False,
    )
    try:
        with graceful_shutdown(stop):
            data_dir = _data_dir()
            summaries = run_collect(
                data_dir,
                chosen,
                once=once,
                options=options,
                stop=stop,
                hooks=[detection_hook(data_dir)],
            )
    except TrailhoundError as error:
        raise fail(error) from error
    for name, summary in summaries.items():
        out.print(f"{name}: {summary.line()}", highlight=False)
    if any(s.poison for s in summaries.values()):
        console.print(
            "Poison objects were recorded: trailhound integration show NAME", highlight=False
        )
