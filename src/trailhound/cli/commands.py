"""Which module of the command line registers each command, loaded when the command is used.

A command line call runs one command, so it imports that command's module and turns only its
functions into Click commands: importing every group and converting some sixty signatures
would cost a command a tenth of a second before it starts (``--help`` still loads them all, to
list them). ``COMMANDS`` names the module of each top-level command in the order ``--help``
lists them; ``tests/cli/test_commands.py`` checks it against what the modules register.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # Typer 0.28 carries its own Click; its types are only named here, for the checker.
    from typer._click import Command, Context

# Top-level command or group → the trailhound.cli module whose ``register(app)`` adds it.
COMMANDS: dict[str, str] = {
    "ingest": "ingest",
    "query": "query",
    "sql": "query",
    "stats": "query",
    "compact": "query",
    "schema": "query",
    "queries": "queries",
    "demo-data": "demo",
    "integration": "aws",
    "setup": "aws",
    "collect": "aws",
    "ledger": "ledger",
    "intel": "intel",
    "analytics": "analytics",
    "detect": "detect",
    "alerts": "detect",
    "rules": "detect",
    "config": "detect",
    "incidents": "incidents",
    "serve": "server",
    "keys": "server",
    "users": "server",
    "lake": "lake",
}


def typer_app(
    *,
    name: str | None = None,
    help: str | None = None,
    no_args_is_help: bool = False,
    cls: type[TyperGroup] | None = None,
) -> typer.Typer:
    """A Typer app with the command line's settings: plain help, no shell completion, errors
    as Python prints them."""
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=no_args_is_help,
        cls=cls,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Plain help: importing Rich's help formatter alone costs a quarter of a second.
        rich_markup_mode=None,
    )


@cache
def module_group(module: str) -> TyperGroup:
    """The Click group of the commands that ``trailhound.cli.<module>`` registers."""
    found = importlib.import_module(f"trailhound.cli.{module}")
    holder = typer_app()
    found.register(holder)
    return typer.main.get_group(holder)


class LazyCommands(TyperGroup):
    """The top-level group: a command's module is imported when the command is asked for."""

    def list_commands(self, ctx: Context) -> list[str]:
        """Every top-level command, in the order help lists them."""
        return [*super().list_commands(ctx), *(c for c in COMMANDS if c not in self.commands)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command called ``cmd_name``, its module imported on first use."""
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        command: Command | None = module_group(COMMANDS[cmd_name]).get_command(ctx, cmd_name)
        return command
