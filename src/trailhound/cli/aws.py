"""The AWS commands: ``trailhound integration …``, ``trailhound setup aws`` and ``collect``."""

from __future__ import annotations

import json
import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from trailhound.cli.context import application
from trailhound.cli.output import console, fail, new_table, out, printable
from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.sources.aws.integrations import IntegrationState
    from trailhound.store.integrations import IntegrationStore

integration_app = typer.Typer(
    help="Connect AWS accounts through an SQS queue of notifications.", no_args_is_help=True
)
setup_app = typer.Typer(
    help="Generate what an AWS account needs to send its CloudTrail.", no_args_is_help=True
)


def _store(ctx: typer.Context) -> IntegrationStore:
    return application(ctx).integrations


NameArg = Annotated[str, typer.Argument(help="The integration's name.")]
EXTERNAL_ID_ENV_VAR = "TRAILHOUND_EXTERNAL_ID"


def _read_secret(label: str) -> str:
    """A secret typed at a hidden prompt, or the first line of standard input when piped."""
    if sys.stdin.isatty():
        return str(typer.prompt(label, hide_input=True)).strip()
    return sys.stdin.readline().strip()


ProfileOption = Annotated[
    str | None,
    typer.Option(
        help="The AWS CLI profile for the base credentials (default: AWS_PROFILE, then the "
        "standard chain); a profile with role_arn/external_id is assumed as the AWS CLI does."
    ),
]


def _use_profile(profile: str | None) -> None:
    from trailhound.sources.aws.clients import use_profile

    try:
        use_profile(profile)
    except TrailhoundError as error:
        raise fail(error) from error


@integration_app.command("add")
def add(
    ctx: typer.Context,
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
    from trailhound.sources.aws.integrations import Integration

    if external_id == "-":
        external_id = _read_secret("External ID")
    try:
        stored = _store(ctx).add(
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


@integration_app.command("update")
def update(
    ctx: typer.Context,
    name: NameArg,
    queue_url: Annotated[str | None, typer.Option(help="A new queue URL.")] = None,
    role_arn: Annotated[
        str | None, typer.Option(help="A new role to assume; '' for the default credentials.")
    ] = None,
    external_id: Annotated[
        str | None,
        typer.Option(help="A new external ID; - to type it (hidden) or pipe it in; '' to clear."),
    ] = None,
    region: Annotated[str | None, typer.Option(help="A new region.")] = None,
    accounts: Annotated[
        str | None, typer.Option(help="Keep only these accounts: ID,ID; all (or '') for every.")
    ] = None,
    endpoint_url: Annotated[str | None, typer.Option(help="A new endpoint; '' to clear.")] = None,
    kms_note: Annotated[str | None, typer.Option(help="A new KMS note; '' to clear.")] = None,
    state: Annotated[
        str | None, typer.Option(help="enabled or paused.", case_sensitive=False)
    ] = None,
) -> None:
    """Change an integration's settings (any of them; the others stay as they are)."""
    if external_id == "-":
        external_id = _read_secret("External ID")
    given = {
        "queue_url": queue_url,
        "role_arn": role_arn,
        "external_id": external_id,
        "region": region,
        "accounts": accounts,
        "endpoint_url": endpoint_url,
        "kms_note": kms_note,
        "state": state,
    }
    changes = {key: value for key, value in given.items() if value is not None}
    if not changes:
        raise fail(TrailhoundError("nothing to change: see trailhound integration update --help"))
    try:
        store = _store(ctx)
        stored = store.update(store.get(name).changed(**changes))
    except TrailhoundError as error:
        raise fail(error) from error
    shown = stored.public_view()
    out.print(
        f"Updated {name}: "
        + ", ".join(f"{key} = {shown[key] if shown[key] is not None else '-'}" for key in changes),
        highlight=False,
    )


@integration_app.command("list")
def list_integrations(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Deleted integrations too (their counters stay).")
    ] = False,
) -> None:
    """List integrations with their state and counters."""
    table = new_table()
    for header in ("name", "state"):
        table.add_column(header, no_wrap=True)
    table.add_column("queue", overflow="fold")  # a URL folds; it never loses characters
    table.add_column("accounts", overflow="fold")
    table.add_column("last message", no_wrap=True)
    for header in ("objects", "events", "errors", "poison"):
        table.add_column(header, justify="right", no_wrap=True)
    for item in _store(ctx).list_integrations(include_deleted=show_all):
        table.add_row(
            item.name,
            item.state.value,
            item.queue_url,
            ",".join(item.accounts) or "all",
            f"{item.last_message_at:%Y-%m-%d %H:%M}" if item.last_message_at else "-",
            f"{item.objects_ingested:,}",
            f"{item.events_ingested:,}",
            f"{item.errors:,}",
            f"{item.poison:,}",
        )
    out.print(table)


@integration_app.command("show")
def show(ctx: typer.Context, name: NameArg) -> None:
    """Show one integration (the external ID stays hidden) and its poison objects."""
    try:
        store = _store(ctx)
        view = store.get(name).public_view()
    except TrailhoundError as error:
        raise fail(error) from error
    for key, value in view.items():
        out.print(f"{key:18} {'' if value is None else value}", highlight=False)
    for _, uri, reason, when in store.poison_objects(name)[:20]:
        out.print(f"poison             {when:%Y-%m-%d %H:%M} {uri}: {reason}", highlight=False)


def _set_state(ctx: typer.Context, name: str, state: IntegrationState, verb: str) -> None:
    try:
        _store(ctx).set_state(name, state)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"{verb} {name}.", highlight=False)


@integration_app.command("pause")
def pause(ctx: typer.Context, name: NameArg) -> None:
    """Stop reading the queue; messages wait there, nothing is lost."""
    from trailhound.sources.aws.integrations import IntegrationState

    _set_state(ctx, name, IntegrationState.PAUSED, "Paused")


@integration_app.command("resume")
def resume(ctx: typer.Context, name: NameArg) -> None:
    """Read the queue again."""
    from trailhound.sources.aws.integrations import IntegrationState

    _set_state(ctx, name, IntegrationState.ENABLED, "Resumed")


@integration_app.command("remove")
def remove(ctx: typer.Context, name: NameArg) -> None:
    """Remove an integration (its counters and poison records are kept); AWS is left as it is."""
    from trailhound.sources.aws.setup.remaining import remaining_resources

    try:
        store = _store(ctx)
        integration = store.get(name)
        store.remove(name)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Removed {name}.", highlight=False)
    console.print(remaining_resources(integration), highlight=False, markup=False, soft_wrap=True)


@integration_app.command("test")
def test(
    ctx: typer.Context,
    name: NameArg,
    bucket: Annotated[
        str | None,
        typer.Option(help="The bucket feeding the queue (default: found from the queue)."),
    ] = None,
    profile: ProfileOption = None,
) -> None:
    """Check credentials, queue, the bucket's notification route and a real log object."""
    _use_profile(profile)
    try:
        report = application(ctx).test_integration(name, bucket)
    except TrailhoundError as error:
        raise fail(error) from error
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
        str | None,
        typer.Option(help="The account (or role ARN) trailhound runs as; the role trusts only it."),
    ] = None,
    organization: Annotated[bool, typer.Option(help="An organization trail.")] = False,
    organization_id: Annotated[str | None, typer.Option(help="o-… (organization trail).")] = None,
    existing_bucket: Annotated[
        str | None, typer.Option(help="Use this trail bucket; its notifications are kept.")
    ] = None,
    route: Annotated[
        str,
        typer.Option(
            help="How the bucket reaches the queue: queue (a notification beside the others), "
            "sns (subscribe to --existing-topic) or eventbridge."
        ),
    ] = "queue",
    existing_topic: Annotated[
        str | None, typer.Option(help="The SNS topic the existing bucket notifies (--route sns).")
    ] = None,
    kms: Annotated[bool, typer.Option(help="Encrypt the logs with a new KMS key.")] = False,
    kms_key: Annotated[
        str | None, typer.Option(help="An existing KMS key ARN the logs are encrypted with.")
    ] = None,
    network_activity: Annotated[
        str | None, typer.Option(help="VPC endpoint network activity events: all or denied.")
    ] = None,
    network_activity_selector: Annotated[
        list[str] | None,
        typer.Option(
            help="A network activity selector (repeatable), e.g. "
            "'eventSource=s3.amazonaws.com,vpcEndpointId!=vpce-0abc12345678'; fields: "
            "eventSource, eventName, vpcEndpointId, errorCode; several values with |."
        ),
    ] = None,
    name_prefix: Annotated[
        str, typer.Option(help="Prefix of every name (stack, queue, role, trail, bucket).")
    ] = "trailhound",
    fmt: Annotated[str, typer.Option("--format", help="cloudformation, cli or policy.")] = (
        "cloudformation"
    ),
    template_format: Annotated[str, typer.Option(help="json or yaml.")] = "json",
    region: Annotated[str, typer.Option(help="Region of the queue and bucket.")] = "us-east-1",
    external_id: Annotated[str | None, typer.Option(help="Default: a new random one.")] = None,
    profile: Annotated[
        str | None, typer.Option(help="The AWS CLI profile the generated scripts run with.")
    ] = None,
    teardown: Annotated[
        bool, typer.Option(help="Print the script removing what this setup made.")
    ] = False,
    delete_logs: Annotated[
        bool, typer.Option(help="With --teardown: delete the logs bucket and its KMS key too.")
    ] = False,
    notification_only: Annotated[
        bool,
        typer.Option(help="Only the existing bucket's notification (after the template)."),
    ] = False,
) -> None:
    """Print a CloudFormation template, an AWS CLI script, the policy JSON, or a teardown."""
    from trailhound.sources.aws.setup.cli_script import (
        build_notification_script,
        build_policies,
        build_script,
        deploy_hint,
    )
    from trailhound.sources.aws.setup.cloudformation import SetupOptions, build_template, render
    from trailhound.sources.aws.setup.teardown import build_teardown

    text = ""
    try:
        options = SetupOptions(
            account=account,
            operator=operator_account,
            existing_bucket=existing_bucket,
            organization_id=(organization_id or "o-*") if organization else None,
            kms=kms,
            network_activity=network_activity,
            selectors=tuple(network_activity_selector or ()),
            name=name_prefix,
            route=route,
            existing_topic=existing_topic,
            kms_key_arn=kms_key,
            profile=profile,
            **({"external_id": external_id} if external_id else {}),
        )
        fmt, template_format = fmt.lower(), template_format.lower()
        if fmt not in ("cloudformation", "cli", "policy"):
            raise typer.BadParameter(f"unknown format {fmt!r}: use cloudformation, cli or policy")
        if teardown:
            text = build_teardown(options, region, fmt=fmt, delete_logs=delete_logs)
        elif notification_only:
            text = build_notification_script(options, region)
        elif fmt == "cloudformation":
            text = render(build_template(options), template_format)
        elif fmt == "cli":
            text = build_script(options, region)
        else:
            text = json.dumps(build_policies(options, region), indent=2) + "\n"
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(text, end="", highlight=False, markup=False)
    if teardown or notification_only or fmt == "cli":  # a script carries what it needs
        return
    console.print(
        "External ID (the template's ExternalId parameter, and "
        f"{EXTERNAL_ID_ENV_VAR} or `--external-id -` of `trailhound integration add`; "
        "keep it secret): "
        f"{options.external_id}",
        highlight=False,
        markup=False,
    )
    if fmt == "cloudformation":
        file = f"{options.name}.{'yaml' if template_format == 'yaml' else 'json'}"
        console.print(
            f"Deploy it (saved as {file}) with:\n  {deploy_hint(options, region, file)}",
            highlight=False,
            markup=False,
            soft_wrap=True,  # commands to copy: never folded
        )


def collect(
    ctx: typer.Context,
    integration: Annotated[
        list[str] | None,
        typer.Option("--integration", help="Only these (repeatable); default: all enabled."),
    ] = None,
    once: Annotated[
        bool,
        typer.Option(
            help="Drain the queues, print a summary per integration, exit: 0 when every one "
            "drained, 1 when some failed (what the others collected is stored), 2 when all did."
        ),
    ] = False,
    workers: Annotated[int, typer.Option(help="Objects downloaded in parallel.")] = 4,
    max_receives: Annotated[int, typer.Option(help="Deliveries before an object is poison.")] = 5,
    status_every: Annotated[
        str, typer.Option(help="How often to print a status line per integration.")
    ] = "1m",
    profile: ProfileOption = None,
) -> None:
    """Collect CloudTrail from the integrations' queues until stopped (SIGTERM/SIGINT).

    Each integration polls on its own, with its own backoff: a failing one never holds up the
    others.
    """
    from trailhound.collect import IntegrationRun, graceful_shutdown
    from trailhound.durations import parse_duration
    from trailhound.sources.aws.sqs import CollectorOptions

    _use_profile(profile)
    app = application(ctx)
    try:
        status_seconds = parse_duration(status_every).total_seconds()
        chosen = app.collectable(integration or ())
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

    def show_status(runs: list[IntegrationRun]) -> None:
        for run in runs:
            console.print(run.status_line(), highlight=False)

    try:
        with graceful_shutdown(stop):
            report = app.collect_each(
                chosen,
                once=once,
                options=options,
                stop=stop,
                on_status=show_status,
                status_seconds=status_seconds,
            )
    except TrailhoundError as error:
        raise fail(error) from error
    for name, run in report.runs.items():
        outcome = "FAILED" if run.error else ("drained" if once else "stopped")
        line = f"{name}: {outcome}: {run.totals().line()}"
        out.print(line + (f"; error: {run.error}" if run.error else ""), highlight=False)
    if any(s.poison for s in report.summaries.values()):
        console.print(
            "Poison objects were recorded: trailhound integration show NAME", highlight=False
        )
    if once and report.failed:
        raise typer.Exit(2 if len(report.failed) == len(report.runs) else 1)


def register(app: typer.Typer) -> None:
    """Add the ``integration`` and ``setup`` groups and ``collect``."""
    app.add_typer(integration_app, name="integration")
    app.add_typer(setup_app, name="setup")
    app.command()(collect)
