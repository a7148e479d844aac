"""The lazy command table: every command a module registers is listed, under its module."""

from __future__ import annotations

import importlib

import pytest
import typer
from typer.testing import CliRunner

from trailhound.cli import app
from trailhound.cli.commands import COMMANDS, typer_app

MODULES = sorted(set(COMMANDS.values()))


def registered(module: str) -> set[str]:
    """The top-level names ``trailhound.cli.<module>`` registers."""
    holder = typer_app()
    importlib.import_module(f"trailhound.cli.{module}").register(holder)
    group = typer.main.get_group(holder)
    return set(group.commands)


@pytest.mark.parametrize("module", MODULES)
def test_the_table_lists_exactly_what_each_module_registers(module: str) -> None:
    listed = {name for name, owner in COMMANDS.items() if owner == module}
    assert registered(module) == listed


def test_every_command_module_is_in_the_table() -> None:
    from pathlib import Path

    import trailhound.cli as package

    found = {p.stem for p in Path(package.__file__).parent.glob("*.py") if p.stem[0] != "_"}
    with_commands = {m for m in found if hasattr(importlib.import_module(f"trailhound.cli.{m}"),
                                                 "register")}  # fmt: skip
    assert with_commands == set(MODULES)


def test_help_lists_every_command_and_a_command_runs_from_its_module() -> None:
    runner = CliRunner()
    helped = runner.invoke(app, ["--help"])
    assert helped.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in helped.output, name
    done = runner.invoke(app, ["alerts", "list", "--help"])
    assert done.exit_code == 0 and "trailhound alerts list" in done.output
    unknown = runner.invoke(app, ["qurey"])
    assert unknown.exit_code == 2 and "No such command 'qurey'" in unknown.output
