"""``trailhound query | sql | stats | compact | schema``: reading the lake."""

from __future__ import annotations

import contextlib
import re
import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from trailhound.cli.context import application
from trailhound.cli.output import FormatOption, check_format, console, fail, out, render_rows
from trailhound.errors import TrailhoundError

if TYPE_CHECKING:
    from trailhound.app import Trailhound
    from trailhound.outcomes import QueryOutcome

ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A query parameter: name=value (repeat for more)."),
]
SinceOption = Annotated[str | None, typer.Option(help="Only events newer than this (24h, 7d).")]
DialectOption = Annotated[
    Literal["duckdb", "spark", "trino"] | None,
    typer.Option(case_sensitive=False, help="Print the SQL for this engine instead of running."),
]
TABLE_ROWS = 100  # rows a table shows of a query without its own limit
EMBEDDED = "duckdb"  # the engine that runs queries here; others are store backends
_RAW = re.compile(r"\braw\b")  # a query that names the raw record asks to see it
ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain", help="Print the SQL (for --dialect, default duckdb) and the partitions read."
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Run on duckdb (here, the default) or spark (pip install 'trailhound[spark]').",
    ),
]
SparkMasterOption = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="With --engine spark: the cluster (spark://host:7077, yarn, sc://host:15002 for "
        "Spark Connect); default local[2], or $SPARK_REMOTE.",
    ),
]


def engine_options(app: Trailhound, engine: str, spark_master: str | None) -> dict[str, str]:
    """The backend options of ``--engine`` and ``--spark-master``, checked as usage."""
    if spark_master and engine != "spark":
        raise typer.BadParameter("--spark-master goes with --engine spark")
    if engine == EMBEDDED:
        return {}  # listing the other engines reads every installed package's entry points
    known = app.engines()
    if engine not in known:
        raise typer.BadParameter(f"unknown engine {engine!r}: use {', '.join(known)}")
    return {"master": spark_master} if spark_master else {}


def parse_params(
    values: list[str] | None, *, required_allowed: bool = False
) -> dict[str, str | None]:
    """``--param name=value`` options as a mapping (``--param name`` alone: no default)."""
    params: dict[str, str | None] = {}
    for item in values or []:
        name, equals, value = item.partition("=")
        name = name.strip().lower()
        if not name.isidentifier():
            raise typer.BadParameter(f"--param {item!r}: write name=value")
        if not equals and not required_allowed:
            raise typer.BadParameter(f"--param {item!r}: write name=value")
        params[name] = value if equals else None
    return params


def _compile_and_run(
    app: Trailhound,
    text: str,
    params: dict[str, str],
    since: str | None,
    max_rows: int | None,
    dialect: str | None,
    explain: bool,
    engine: str,
    options: dict[str, str],
) -> QueryOutcome | None:
    """Compile, then print the SQL or the explanation (None), or run on ``engine``."""
    compiled = app.compile(text, since=since, params=params)
    if explain:
        sys.stdout.write(app.explain(compiled, dialect or EMBEDDED) + "\n")
        return None
    if dialect:
        sys.stdout.write(compiled.sql(dialect=dialect, pretty=True) + "\n")
        return None
    return app.execute(compiled, params, max_rows=max_rows, engine=engine, engine_options=options)


def run_query(
    ctx: typer.Context,
    text: str,
    *,
    params: dict[str, str],
    since: str | None,
    fmt: str,
    dialect: str | None,
    explain: bool,
    engine: str = "duckdb",
    spark_master: str | None = None,
) -> None:
    """Compile a pipe query and print its SQL, its explanation, its rows, or save its result
    (on the embedded DuckDB, or on another ``engine`` over the same lake)."""
    fmt = check_format(fmt)
    dialect = dialect.lower() if dialect else None
    app = application(ctx)
    options = engine_options(app, engine, spark_master)
    max_rows = TABLE_ROWS if fmt == "table" else None
    try:
        if explain or dialect or engine != EMBEDDED:
            found = _compile_and_run(app, text, params, since, max_rows, dialect, explain,
                                     engine, options)  # fmt: skip
            if found is None:
                return
            outcome = found
        else:
            outcome = app.query(text, since=since, params=params, max_rows=max_rows)
    except TrailhoundError as error:
        raise fail(error) from error
    saved = outcome.saved
    if saved is None:
        columns, results = outcome.columns, outcome.rows
        if fmt == "table" and "raw" in columns and len(columns) > 1 and not _RAW.search(text):
            at = columns.index("raw")  # the whole record: shown only when the query names it
            columns = columns[:at] + columns[at + 1 :]
            results = [row[:at] + row[at + 1 :] for row in results]
        paging = fmt == "table" and out.is_terminal
        with out.pager(styles=True) if paging else contextlib.nullcontext():
            render_rows(columns, results, fmt)
        if outcome.total is not None:
            console.print(
                f"showing {TABLE_ROWS} of {outcome.total:,} rows: end the query with | limit N "
                "for more, or use --format json or csv for all",
                highlight=False,
            )
    elif saved.kind == "view":
        out.print(f"Saved view {saved.name}: read it with 'dataset = {saved.name}'.")
    else:
        verb = "Appended" if saved.append else "Saved"
        out.print(f"{verb} {saved.rows or 0:,} rows to dataset {saved.name}.", highlight=False)


def query(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="A pipe query: dataset = cloudtrail | filter …")],
    since: SinceOption = None,
    fmt: FormatOption = "table",
    dialect: DialectOption = None,
    explain: ExplainOption = False,
    param: ParamOption = None,
    engine: EngineOption = "duckdb",
    spark_master: SparkMasterOption = None,
) -> None:
    """Search with the pipe query language."""
    params = {k: v for k, v in parse_params(param).items() if v is not None}
    run_query(
        ctx,
        text,
        params=params,
        since=since,
        fmt=fmt,
        dialect=dialect,
        explain=explain,
        engine=engine,
        spark_master=spark_master,
    )


def sql(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(help="One read-only SQL statement (DuckDB).")],
    fmt: FormatOption = "table",
) -> None:
    """Run read-only SQL over the datasets (cloudtrail, cloud_audit_logs, quarantine, …)."""
    check_format(fmt)
    try:
        columns, rows = application(ctx).sql(statement)
    except TrailhoundError as error:
        raise fail(error) from error
    render_rows(columns, rows, fmt)


def stats(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """What is stored: events per account, date range, quarantine and ingest runs."""
    check_format(fmt)
    app = application(ctx)
    found = app.stats()
    render_rows(found.columns, found.rows, fmt)
    if fmt == "table":
        console.print(
            f"{found.files_ingested:,} files ingested, {found.quarantined:,} quarantined entries, "
            f"{found.partitions:,} partitions, {found.parquet_files:,} Parquet files, "
            f"{found.bytes / 1e6:,.1f} MB in {app.data_dir.root}",
            highlight=False,
        )


def compact(ctx: typer.Context) -> None:
    """Rewrite partitions made of many small Parquet files into one file each."""
    removed = application(ctx).compact()
    out.print(f"Compacted {removed:,} files.")


def schema() -> None:
    """Print the dataset schema as Markdown (the source of docs/schema.md)."""
    from trailhound.schema import schema_markdown

    sys.stdout.write(schema_markdown())


def register(app: typer.Typer) -> None:
    """Add the commands that read the lake."""
    app.command()(query)
    app.command()(sql)
    app.command()(stats)
    app.command()(compact)
    app.command()(schema)
