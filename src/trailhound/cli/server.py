"""Command-line front door of the server: ``serve``, ``keys``, ``users``."""

from __future__ import annotations

import getpass
import logging
import sys
from typing import Annotated

import typer

from trailhound.cli.context import data_dir as _data_dir
from trailhound.cli.output import console, fail, jsonable, new_table, out
from trailhound.errors import TrailhoundError

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
users_app = typer.Typer(help="Console users: add, list.", no_args_is_help=True)
PASSWORD_ENV_VAR = "TRAILHOUND_PASSWORD"


def _state(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from trailhound.store.state import StateDB

    return StateDB(_data_dir(ctx).ensure().state_db)


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="admin, analyst, viewer or ingest.")],
    name: Annotated[str, typer.Option(help="Who or what holds it.")] = "",
) -> None:
    """Create an API key and print it: it is shown this once, and only its hash is kept."""
    from trailhound.api.keys import KeyStore

    try:
        record, key = KeyStore(_state(ctx)).create(role, name)
    except TrailhoundError as error:
        raise fail(error) from error
    sys.stdout.write(key + "\n")
    console.print(
        f"API key {record.id} ({record.role}, {record.name}): keep it now, it is not shown again. "
        "Send it as: Authorization: Bearer KEY",
        highlight=False,
    )


@keys_app.command("list")
def keys_list(ctx: typer.Context) -> None:
    """Every API key (never the key itself): ID, name, role, created, revoked."""
    from trailhound.api.keys import KeyStore

    table = new_table("id", "name", "role", "created", "revoked")
    for key in KeyStore(_state(ctx)).list_keys():
        table.add_row(
            key.id,
            key.name,
            key.role,
            jsonable(key.created_at),
            jsonable(key.revoked_at) if key.revoked_at else "",
        )
    out.print(table)


@keys_app.command("revoke")
def keys_revoke(
    ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's ID.")]
) -> None:
    """Revoke an API key; a running server refuses it within seconds."""
    from trailhound.api.keys import KeyStore

    try:
        record = KeyStore(_state(ctx)).revoke(key_id)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Revoked {record.id} ({record.name}).", highlight=False)


def _read_password() -> str:
    """The password from a terminal (asked twice, hidden) or a pipe (first line)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise typer.BadParameter("the passwords differ")
    return first


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, analyst or viewer.")],
) -> None:
    """Add a console user (or reset one's role and password); the password is read hidden
    from the terminal, or from a pipe."""
    import os

    from trailhound.api.users import UserStore

    password = os.environ.get(PASSWORD_ENV_VAR) or _read_password()
    try:
        user = UserStore(_state(ctx)).add(name, role, password)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"User {user.name} ({user.role}) saved.", highlight=False)


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """Every console user (never a password hash)."""
    from trailhound.api.users import UserStore

    table = new_table("name", "role", "created", "disabled")
    for user in UserStore(_state(ctx)).list_users():
        table.add_row(
            user.name,
            user.role,
            jsonable(user.created_at),
            jsonable(user.disabled_at) if user.disabled_at else "",
        )
    out.print(table)


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option(help="Address to listen on (only this machine by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8600,
    ingest_limit_mb: Annotated[int, typer.Option(help="Largest pushed body, MB.")] = 50,
    row_cap: Annotated[int, typer.Option(help="Rows one query page may return.")] = 10_000,
    query_seconds: Annotated[float, typer.Option(help="Time limit of one query.")] = 30.0,
    query_workers: Annotated[int, typer.Option(help="Processes answering queries.")] = 2,
    detect: Annotated[
        bool, typer.Option(help="Run detection on pushed and collected events.")
    ] = True,
    collect: Annotated[
        bool, typer.Option(help="Collect the integrations' queues (as `trailhound collect`).")
    ] = True,
) -> None:
    """Serve the console, the REST API (OpenAPI at /docs) and push ingest; collect the AWS
    integrations' queues too, detecting on every batch."""
    import uvicorn

    from trailhound.api.app import create_app
    from trailhound.api.deps import ServerSettings

    settings = ServerSettings(
        ingest_limit=ingest_limit_mb * 1024 * 1024,
        row_cap=row_cap,
        query_seconds=query_seconds,
        detect=detect,
        query_workers=query_workers,
        collect=collect,
    )
    app = create_app(_data_dir(ctx), settings)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    found = app.state.product
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"trailhound console on http://{shown}:{port}/ (sign in as a user of "
        f"`trailhound users add`), API on http://{shown}:{port}/docs",
        highlight=False,
    )
    if collect:
        names = [i.name for i in found.app.collectable()]
        if names:
            console.print(f"collecting {', '.join(names)}", highlight=False)
    # uvicorn's access log prints paths and client addresses, never headers: no key leaks.
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def register(app: typer.Typer) -> None:
    """Add the server commands to the main app."""
    app.add_typer(keys_app, name="keys")
    app.add_typer(users_app, name="users")
    app.command("serve")(serve)
