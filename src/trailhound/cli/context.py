"""The one way a command finds what it works on: the state the main callback puts in the context.

The callback of the ``trailhound`` app (``cli/__init__.py``) resolves ``--data-dir`` once and
stores a :class:`CliState` as the root context's ``obj``; every command takes ``ctx`` and asks
:func:`data_dir` for it. A command group mounted on an app without that callback (a test's own
``Typer``) falls back to the environment variable and the default folder, as the callback would.
"""

from __future__ import annotations

from dataclasses import dataclass

import typer

from trailhound.data_dir import DataDir, resolve_data_dir


@dataclass(slots=True)
class CliState:
    """What the main callback resolved for this invocation."""

    data_dir: DataDir


def cli_state(ctx: typer.Context) -> CliState:
    """The invocation's state (resolved from the environment if no callback stored one)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState(resolve_data_dir(None))
    return root.obj


def data_dir(ctx: typer.Context) -> DataDir:
    """The data directory this invocation works on (``--data-dir``, env, or the default)."""
    return cli_state(ctx).data_dir
