"""``trailhound query | sql | stats | compact | schema``: reading the lake."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from trailhound.cli.context import data_dir
from trailhound.cli.output import FormatOption, check_format, console, fail, out, render_rows
from trailhound.data_dir import DataDir
from trailhound.errors import TrailhoundError

ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A query parameter: name=value (repeat for more)."),
]
SinceOption = Annotated[str | None, typer.Option(help="Only events newer than this (24h, 7d).")]
DialectOption = Annotated[
    str | None,
    typer.Option(help="Print the SQL for duckdb, spark or trino instead of running."),
]
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


def _run_on_backend(
    where: DataDir, engine: str, spark_master: str | None, compiled: Any
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a compiled query on a registered backend other than the embedded DuckDB."""
    from trailhound.store.base import BACKENDS, open_backend

    known = sorted({"duckdb", *BACKENDS.names()})
    if engine not in known:
        raise typer.BadParameter(f"unknown engine {engine!r}: use {', '.join(known)}")
    if compiled.target is not None:
        raise typer.BadParameter(f"--engine {engine} does not save results: drop the | target")
    options = {"master": spark_master} if spark_master else {}
    backend = open_backend(engine, where, **options)
    try:
        result = backend.execute(compiled.sql(backend.dialect))
    finally:
        backend.close()
    return result.columns, result.rows


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


def run_query(
    ctx: typer.Context,
    text: str,
    *,
    params: dict[str, str],
    since: str | None,
    fmt: str,
    dialect: str | None,
    explain: bool,
    backend: str = "duckdb",
    spark_master: str | None = None,
) -> None:
    """Compile a pipe query and print its SQL, its explanation, its rows, or save its result."""
    from trailhound.durations import parse_duration
    from trailhound.query.compiler import compile_query
    from trailhound.query.explain import explain as explain_query
    from trailhound.query.saved_datasets import SavedDatasets, result_rows
    from trailhound.store.engine import QueryEngine
    from trailhound.store.lake import open_lake
    from trailhound.store.state import StateDB

    check_format(fmt)
    if spark_master and backend != "spark":
        raise typer.BadParameter("--spark-master goes with --engine spark")
    where = data_dir(ctx)
    saved = SavedDatasets(StateDB(where.state_db))
    try:
        compiled = compile_query(
            text,
            since=parse_duration(since) if since else None,
            params=params,
            catalog=saved.lazy_catalog(),
        )
        if explain:
            partitions = [(p.date, p.account) for p in open_lake(where).partitions()]
            sys.stdout.write(
                explain_query(compiled, dialect or "duckdb", partitions).render() + "\n"
            )
            return
        if dialect:
            sys.stdout.write(compiled.sql(dialect=dialect, pretty=True) + "\n")
            return
        target = compiled.target
        if target is not None and target.kind == "view":
            saved.save(compiled, None, params)
            out.print(f"Saved view {target.name}: read it with 'dataset = {target.name}'.")
            return
        if backend != "duckdb":
            columns, results = _run_on_backend(where, backend, spark_master, compiled)
            render_rows(columns, results, fmt)
            return
        with QueryEngine(where) as engine:
            if target is not None:
                rows = result_rows(engine, compiled)
            else:
                columns, results = engine.execute(compiled.sql("duckdb"))
        if target is not None:
            count = saved.save(compiled, rows, params)
            verb = "Appended" if target.append else "Saved"
            out.print(f"{verb} {count:,} rows to dataset {target.name}.", highlight=False)
            return
    except TrailhoundError as error:
        raise fail(error) from error
    render_rows(columns, results, fmt)


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
        backend=engine,
        spark_master=spark_master,
    )


def sql(
    ctx: typer.Context,
    statement: Annotated[str, typer.Argument(help="One read-only SQL statement (DuckDB).")],
    fmt: FormatOption = "table",
) -> None:
    """Run read-only SQL over the datasets (cloudtrail, cloud_audit_logs, quarantine, …)."""
    from trailhound.store.engine import QueryEngine

    check_format(fmt)
    try:
        with QueryEngine(data_dir(ctx)) as engine:
            columns, rows = engine.execute_read_only(statement)
    except TrailhoundError as error:
        raise fail(error) from error
    render_rows(columns, rows, fmt)


def stats(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """What is stored: events per account, date range, quarantine and ingest runs."""
    from trailhound.store.engine import QueryEngine

    check_format(fmt)
    where = data_dir(ctx)
    with QueryEngine(where) as engine:
        columns, rows = engine.execute(
            "SELECT account, count(*) AS events, min(event_time) AS first_event, "
            "max(event_time) AS last_event, count(DISTINCT aws_region) AS regions, "
            "count(DISTINCT event_name) AS event_names, sum(is_error::INT) AS errors "
            "FROM cloudtrail GROUP BY account ORDER BY account"
        )
        render_rows(columns, rows, fmt)
        if fmt == "table":
            _, quarantine = engine.execute("SELECT count(*) FROM quarantine")
            _, files = engine.execute("SELECT count(*) FROM ingested_files")
            parts = engine.lake.partitions()
            console.print(
                f"{files[0][0]:,} files ingested, {quarantine[0][0]:,} quarantined entries, "
                f"{len(parts):,} partitions, {sum(p.files for p in parts):,} Parquet files, "
                f"{sum(p.bytes for p in parts) / 1e6:,.1f} MB in {where.root}",
                highlight=False,
            )


def compact(ctx: typer.Context) -> None:
    """Rewrite partitions made of many small Parquet files into one file each."""
    import duckdb

    from trailhound.store.lake import open_lake

    lake = open_lake(data_dir(ctx))
    con = duckdb.connect()
    removed = lake.compact(con, min_files=2)
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
