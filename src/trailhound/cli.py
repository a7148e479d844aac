"""The command line: ``trailhound ingest | query | queries | sql | stats | demo-data | compact``."""

from __future__ import annotations

import csv
import io
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from trailhound.cli_output import console, fail, jsonable, out, print_json, printable, safe_text
from trailhound.data_dir import DataDir, resolve_data_dir
from trailhound.errors import TrailhoundError
from trailhound.ingest import Ingestor
from trailhound.ingest import Progress as IngestProgress
from trailhound.model import IngestSummary
from trailhound.sources.files import FileSource
from trailhound.sources.stdin import StdinSource
from trailhound.store.lock import set_wait_notice

if TYPE_CHECKING:
    from trailhound.detect.detection import Detection

app = typer.Typer(
    name="trailhound",
    help="Self-hosted detection and response for AWS CloudTrail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class _State:
    data_dir: DataDir | None = None


_state = _State()


@app.callback()
def main(
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="TRAILHOUND_DATA_DIR",
            show_default=False,
            help="Where the lake and state live (default: the user data folder).",
        ),
    ] = None,
) -> None:
    """Self-hosted detection and response for AWS CloudTrail."""
    # Everything this process writes (lake, state, secrets, downloads) is the owner's alone.
    os.umask(0o077)
    set_wait_notice(_tell_waiting)
    _state.data_dir = resolve_data_dir(data_dir)


def _tell_waiting(pid: int | None) -> None:
    who = f"pid {pid}" if pid else "pid unknown"
    console.print(
        f"waiting for another trailhound process ({who}) to finish writing…", highlight=False
    )


def _data_dir() -> DataDir:
    return _state.data_dir or resolve_data_dir(None)


def _summary_line(summary: IngestSummary) -> str:
    counts = sorted(summary.files_skipped.items())
    skipped = ", ".join(f"{reason} ×{n}" for reason, n in counts if n)
    return (
        f"Ingested {summary.events_written:,} events from {summary.files:,} files in "
        f"{summary.seconds:.1f} s ({summary.events_per_second:,.0f} events/s): "
        f"{summary.records:,} records read, {summary.duplicates:,} duplicates, "
        f"{summary.quarantined:,} quarantined" + (f"; skipped {skipped}" if skipped else "")
    )


def _detection(data_dir: DataDir) -> Detection:
    """The detectors of the data directory, raising alerts in its alert store."""
    from trailhound.detect.detection import Detection
    from trailhound.incidents.alerts import AlertStore

    return Detection(data_dir, AlertStore.for_data_dir(data_dir))


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files or folders to ingest; - for stdin.")],
    strict: Annotated[bool, typer.Option(help="Exit non-zero if anything is quarantined.")] = False,
    detect: Annotated[bool, typer.Option(help="Run the detection rules on every batch.")] = True,
) -> None:
    """Ingest CloudTrail files (S3 layout, JSON lines, lookup-events, Lake exports, stdin)."""
    data_dir = _data_dir()
    summary = IngestSummary()
    try:
        with Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[files]} files"),
            TextColumn("{task.fields[records]:,} events"),
            TextColumn("{task.fields[rate]:,.0f} events/s"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("ingest", total=None, files="0", records=0, rate=0.0)
            started = time.perf_counter()

            def on_progress(p: IngestProgress) -> None:
                elapsed = max(time.perf_counter() - started, 1e-9)
                bar.update(
                    task,
                    completed=p.files_done,
                    total=p.files_total,
                    files=f"{p.files_done:,}/{p.files_total:,}",
                    records=p.records,
                    rate=p.records / elapsed,
                )

            detection = _detection(data_dir) if detect else None
            with Ingestor(data_dir, on_progress=on_progress, detection=detection) as ingestor:
                files = [Path(p) for p in paths if p != "-"]
                if files:
                    missing = [str(p) for p in files if not p.exists()]
                    if missing:
                        raise typer.BadParameter(f"no such file or folder: {', '.join(missing)}")
                    summary.merge(ingestor.ingest(FileSource(files)))
                if "-" in paths:
                    summary.merge(ingestor.ingest(StdinSource()))
            summary.seconds = time.perf_counter() - started
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(_summary_line(summary), highlight=False)
    if summary.quarantined:
        console.print(
            f"{summary.quarantined:,} records or files quarantined: "
            "trailhound query 'dataset = quarantine | sort quarantined_at desc | limit 20'",
            highlight=False,
        )
    if strict and summary.quarantined:
        raise typer.Exit(1)


def render_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    """Print query results as a table, one JSON array of objects, or CSV."""
    if fmt == "json":
        objects = [dict(zip(columns, row, strict=True)) for row in rows]
        print_json(objects)
    elif fmt == "csv":
        # Into a file or a pipe, the data as it is; onto a terminal, nothing that steers it.
        shown = printable if sys.stdout.isatty() else str
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([shown(c) for c in columns])
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else v
                    if isinstance(v, (int, float))
                    else shown(v if isinstance(v, str) else str(jsonable(v)))
                    for v in row
                ]
            )
        sys.stdout.write(buffer.getvalue())
    elif len(columns) > WIDE_COLUMNS:
        # Too wide for a terminal: one field-per-line block per row, long values cut.
        for number, row in enumerate(rows, 1):
            table = Table("field", "value", title=f"row {number}", title_justify="left")
            table.columns[1].overflow = "fold"
            for column, value in zip(columns, row, strict=True):
                if value is not None:
                    text = _cell(value)
                    if len(text) > 300:
                        text.truncate(300, overflow="ellipsis")
                    table.add_row(safe_text(column), text)
            out.print(table)
        console.print(f"{len(rows):,} rows", highlight=False)
    else:
        table = Table(show_lines=False)
        for column in columns:
            table.add_column(safe_text(column), overflow="fold")
        for row in rows:
            table.add_row(*(Text("") if v is None else _cell(v) for v in row))
        out.print(table)
        console.print(f"{len(rows):,} rows", highlight=False)


WIDE_COLUMNS = 12


def _cell(value: Any) -> Text:
    """A table cell that shows the value as it is (no markup, no terminal controls)."""
    return safe_text(value if isinstance(value, str) else str(jsonable(value)))


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]


def _check_format(fmt: str) -> str:
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter(f"unknown format {fmt!r}: use table, json or csv")
    return fmt


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
    data_dir: DataDir, engine: str, spark_master: str | None, compiled: Any
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a compiled query on a registered backend other than the embedded DuckDB."""
    from collections.abc import Callable

    from trailhound.store.base import BACKENDS, Backend

    known = sorted({"duckdb", *BACKENDS.names()})
    if engine not in known:
        raise typer.BadParameter(f"unknown engine {engine!r}: use {', '.join(known)}")
    if compiled.target is not None:
        raise typer.BadParameter(f"--engine {engine} does not save results: drop the | target")
    options = {"master": spark_master} if spark_master else {}
    factory: Callable[..., Backend] = BACKENDS.get(engine)
    backend = factory(data_dir, **options)
    try:
        result = backend.execute(compiled.sql(backend.dialect))
    finally:
        backend.close()
    return result.columns, result.rows


def _params(values: list[str] | None, *, required_allowed: bool = False) -> dict[str, str | None]:
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


def _run_query(
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

    _check_format(fmt)
    if spark_master and backend != "spark":
        raise typer.BadParameter("--spark-master goes with --engine spark")
    data_dir = _data_dir()
    saved = SavedDatasets(StateDB(data_dir.state_db))
    try:
        compiled = compile_query(
            text,
            since=parse_duration(since) if since else None,
            params=params,
            catalog=saved.lazy_catalog(),
        )
        if explain:
            partitions = [(p.date, p.account) for p in open_lake(data_dir).partitions()]
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
            columns, results = _run_on_backend(data_dir, backend, spark_master, compiled)
            render_rows(columns, results, fmt)
            return
        with QueryEngine(data_dir) as engine:
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


@app.command()
def query(
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
    params = {k: v for k, v in _params(param).items() if v is not None}
    _run_query(
        text,
        params=params,
        since=since,
        fmt=fmt,
        dialect=dialect,
        explain=explain,
        backend=engine,
        spark_master=spark_master,
    )


queries_app = typer.Typer(
    help="The query library: saved, parameterized queries and the built-in hunts.",
    no_args_is_help=True,
)


def _library() -> Any:
    from trailhound.query.hunts import HUNTING_QUERIES
    from trailhound.query.library import QueryLibrary
    from trailhound.store.state import StateDB

    return QueryLibrary(StateDB(_data_dir().state_db), HUNTING_QUERIES)


@queries_app.command("save")
def queries_save(
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
    from trailhound.query.saved_datasets import SavedDatasets
    from trailhound.store.state import StateDB

    saved = SavedQuery(name, text.strip(), description, _params(param, required_allowed=True))
    try:
        catalog = SavedDatasets(StateDB(_data_dir().state_db)).lazy_catalog()
        _library().save(saved, catalog)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Saved query {name}: trailhound queries run {name}", highlight=False)


@queries_app.command("list")
def queries_list(fmt: FormatOption = "table") -> None:
    """Every saved query and built-in hunt, with its parameters and description."""
    _check_format(fmt)
    try:
        found = _library().list()
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
def queries_show(name: Annotated[str, typer.Argument(help="The query's name.")]) -> None:
    """Print a query: its description, parameters and text."""
    try:
        found = _library().get(name)
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
    name: Annotated[str, typer.Argument(help="The query's name.")],
    param: ParamOption = None,
    since: SinceOption = None,
    fmt: FormatOption = "table",
    dialect: DialectOption = None,
    explain: ExplainOption = False,
) -> None:
    """Run a saved query or a built-in hunt, with parameters."""
    try:
        found = _library().get(name)
        given = {k: v for k, v in _params(param).items() if v is not None}
        params = found.bind(given)
    except TrailhoundError as error:
        raise fail(error) from error
    _run_query(found.query, params=params, since=since, fmt=fmt, dialect=dialect, explain=explain)


@queries_app.command("delete")
def queries_delete(name: Annotated[str, typer.Argument(help="The query's name.")]) -> None:
    """Delete a saved query."""
    try:
        _library().delete(name)
    except TrailhoundError as error:
        raise fail(error) from error
    out.print(f"Deleted query {name}.", highlight=False)


app.add_typer(queries_app, name="queries")


@app.command()
def sql(
    statement: Annotated[str, typer.Argument(help="One read-only SQL statement (DuckDB).")],
    fmt: FormatOption = "table",
) -> None:
    """Run read-only SQL over the datasets (cloudtrail, cloud_audit_logs, quarantine, …)."""
    from trailhound.store.engine import QueryEngine

    _check_format(fmt)
    try:
        with QueryEngine(_data_dir()) as engine:
            columns, rows = engine.execute_read_only(statement)
    except TrailhoundError as error:
        raise fail(error) from error
    render_rows(columns, rows, fmt)


@app.command()
def stats(fmt: FormatOption = "table") -> None:
    """What is stored: events per account, date range, quarantine and ingest runs."""
    from trailhound.store.engine import QueryEngine

    _check_format(fmt)
    with QueryEngine(_data_dir()) as engine:
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
                f"{sum(p.bytes for p in parts) / 1e6:,.1f} MB in {_data_dir().root}",
                highlight=False,
            )


@app.command()
def compact() -> None:
    """Rewrite partitions made of many small Parquet files into one file each."""
    import duckdb

    from trailhound.store.lake import open_lake

    lake = open_lake(_data_dir())
    con = duckdb.connect()
    removed = lake.compact(con, min_files=2)
    out.print(f"Compacted {removed:,} files.")


@app.command()
def schema() -> None:
    """Print the dataset schema as Markdown (the source of docs/schema.md)."""
    from trailhound.schema import schema_markdown

    sys.stdout.write(schema_markdown())


@app.command("demo-data")
def demo_data(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the S3-layout data set into.")],
    events: Annotated[int, typer.Option(help="Number of events.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 7,
) -> None:
    """Write a deterministic, realistic multi-account CloudTrail data set in S3 layout."""
    from trailhound.demo.generator import generate_demo

    with Progress(
        TextColumn("[bold]demo-data"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("demo", total=events)
        summary = generate_demo(
            outdir, events=events, seed=seed, progress=lambda n: bar.advance(task, n)
        )
    out.print(
        f"Wrote {summary.events:,} events (+{summary.insight_events} Insights events) in "
        f"{summary.files:,} files for {len(summary.accounts)} accounts and "
        f"{len(summary.regions)} regions to {outdir}; stories: {', '.join(summary.stories)}",
        highlight=False,
    )


def _register_subcommands() -> None:
    """Command groups that live in their stage's own module."""
    from trailhound.cli_aws import collect, integration_app, setup_app

    app.add_typer(integration_app, name="integration")
    app.add_typer(setup_app, name="setup")
    app.command()(collect)

    from trailhound.cli_ledger import ledger

    app.command()(ledger)

    from trailhound.cli_detect import register as register_detect_commands

    register_detect_commands(app)

    from trailhound.cli_lake import register as register_lake_commands

    register_lake_commands(app)


_register_subcommands()

if __name__ == "__main__":
    # Run as ``python -m trailhound.cli`` this file is ``__main__``, a second copy of the module:
    # the command groups read --data-dir from ``trailhound.cli``, so run that one's app.
    from trailhound.cli import app as cli_app

    cli_app()
