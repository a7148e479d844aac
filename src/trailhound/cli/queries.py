"""``trailhound queries save | list | show | run | delete``: the query library."""

from __future__ import annotations

import sys
import textwrap
from typing import Annotated

import typer

from trailhound.cli.context import application
from trailhound.cli.output import FormatOption, check_format, fail, out, render_rows
from trailhound.cli.query import (
    DialectOption,
    ExplainOption,
    ParamOption,
    SinceOption,
    parse_params,
    run_query,
)
from trailhound.errors import TrailhoundError

queries_app = typer.Typer(
    help="The query library: saved, parameterized queries and the built-in hunts.",
    no_args_is_help=True,
)


@queries_app.command("save")
def queries_save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name: lower-case letters, digits, - and _.")],
    text: Annotated[str, typer.Argument(help="The pipe query; $name marks a parameter.")],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", help="A parameter and its default: name=value (name alone: required)."
        ),
    ] = None,
    description: Annotated[str, typer.Option("--description", "-d", help="What it finds.")] = "",
) -> None:
    """Save a query under a name (replacing one of that name)."""
    from trailhound.query.library import SavedQuery

    saved = SavedQuery(name, text.strip(), description, parse_params(param, required_allowed=True))
    app = application(ctx)
    try:
        app.library.save(saved, app.saved_datasets.lazy_catalog())
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Saved query {name}: trailhound queries run {name}", highlight=False)


@queries_app.command("list")
def queries_list(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """Every saved query and built-in hunt, with its parameters and description."""
    check_format(fmt)
    try:
        found = application(ctx).library.list()
    except TrailhoundError as error:
        raise fail(error) from error
    columns = ["name", "kind", "params", "description"]
    rows = [
        (
            q.name,
            "built-in" if q.builtin else "saved",
            ", ".join(f"{k}={v}" if v is not None else k for k, v in q.params.items()),
            q.description,
        )
        for q in found
    ]
    render_rows(columns, rows, fmt)


@queries_app.command("show")
def queries_show(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The query's name.")]
) -> None:
    """Print a query: its description, parameters and text."""
    try:
        found = application(ctx).library.get(name)
    except TrailhoundError as error:
        raise fail(error) from error
    lines = [f"# {found.name}" + (" (built-in)" if found.builtin else "")]
    if found.description:
        lines.append(f"# {found.description}")
    for key, value in found.params.items():
        lines.append(f"# --param {key}" + (f"={value}" if value is not None else " (required)"))
    lines.append(textwrap.dedent(found.query).strip())
    sys.stdout.write("\n".join(lines) + "\n")


@queries_app.command("run")
def queries_run(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The query's name.")],
    param: ParamOption = None,
    since: SinceOption = None,
    fmt: FormatOption = "table",
    dialect: DialectOption = None,
    explain: ExplainOption = False,
) -> None:
    """Run a saved query or a built-in hunt, with parameters."""
    try:
        found = application(ctx).library.get(name)
        given = {k: v for k, v in parse_params(param).items() if v is not None}
        params = found.bind(given)
    except TrailhoundError as error:
        raise fail(error) from error
    run_query(
        ctx, found.query, params=params, since=since, fmt=fmt, dialect=dialect, explain=explain
    )


@queries_app.command("delete")
def queries_delete(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The query's name.")]
) -> None:
    """Delete a saved query."""
    try:
        application(ctx).library.delete(name)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Deleted query {name}.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``queries`` group."""
    app.add_typer(queries_app, name="queries")
