"""The one way a command finds what it works on: the application the main callback prepares.

The callback of the ``trailhound`` app (``cli/__init__.py``) resolves ``--data-dir`` once and
stores a :class:`CliState` as the root context's ``obj``; a command takes ``ctx`` and asks
:func:`application` for the :class:`~trailhound.app.Trailhound` of that data directory, built on
first use (``--help`` builds none). A command group mounted on an app without that callback (a
test's own ``Typer``) falls back to the environment variable and the default folder, as the
callback would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from trailhound.data_dir import DataDir, resolve_data_dir

if TYPE_CHECKING:
    from trailhound.app import Trailhound


@dataclass(slots=True)
class CliState:
    """What the main callback resolved for this invocation, and the application, once built."""

    data_dir: DataDir
    app: Trailhound | None = field(default=None)


def cli_state(ctx: typer.Context) -> CliState:
    """The invocation's state (resolved from the environment if no callback stored one)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(resolve_data_dir(None))
    return root.obj


def application(ctx: typer.Context) -> Trailhound:
    """The application of this invocation's data directory."""
    state = cli_state(ctx)
    if state.app is None:
        from trailhound.app import Trailhound  # --help, and a usage error, build none

        state.app = Trailhound(state.data_dir)
    return state.app


def data_dir(ctx: typer.Context) -> DataDir:
    """The data directory this invocation works on (``--data-dir``, env, or the default)."""
    return cli_state(ctx).data_dir
