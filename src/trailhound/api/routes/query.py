"""``POST /query`` (the pipe language) and ``POST /sql`` (read-only SQL), paginated and bounded.

A page is at most the server's row cap; ``next_offset`` says where the next one starts. A query
running past the server's time limit is interrupted and answered 408. Values reach the query
only as the language's literals or bound parameters, never pasted into SQL text.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import duckdb
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlglot import exp

from trailhound.api.auth import Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.api.problems import Problem, query_problem
from trailhound.errors import QueryError
from trailhound.store.engine import MAX_SQL_CHARS, QueryEngine

router = APIRouter(tags=["search"])
MAX_QUERY_TEXT = 64 * 1024


class QueryRequest(BaseModel):
    """A pipe query and the page of its rows wanted."""

    query: str = Field(min_length=1, max_length=MAX_QUERY_TEXT, description="A pipe query.")
    since: str | None = Field(None, max_length=32, description="Only events newer: 24h, 7d.")
    params: dict[str, str] = Field(default_factory=dict, description="$name parameter values.")
    limit: int = Field(1000, ge=1, le=100_000, description="Rows per page (the row cap bounds it).")
    offset: int = Field(0, ge=0, le=100_000_000, description="Rows to skip.")


class SqlRequest(BaseModel):
    """One read-only SQL statement and the page of its rows wanted."""

    sql: str = Field(min_length=1, max_length=MAX_SQL_CHARS)
    limit: int = Field(1000, ge=1, le=100_000)
    offset: int = Field(0, ge=0, le=100_000_000)


def _timed(engine: QueryEngine, seconds: float, run: Callable[[], Any]) -> Any:
    """Run ``run`` on ``engine``; interrupt its connection after ``seconds``."""
    timer = threading.Timer(seconds, engine.con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        return run()
    except QueryError as error:
        if isinstance(error.__cause__, duckdb.InterruptException) or "INTERRUPT" in str(error):
            raise Problem(408, f"the query ran past the time limit of {seconds:g} s",
                          kind="query-timeout") from error
        raise
    finally:
        timer.cancel()


def _page(
    columns: list[str], rows: list[tuple[Any, ...]], offset: int, limit: int, started: float
) -> dict[str, Any]:
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "columns": columns,
        "rows": [dict(zip(columns, row, strict=True)) for row in rows],
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if more else None,
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }


@router.post("/query", response_class=JsonAnswer, summary="Search with the pipe language")
def run_query(
    body: QueryRequest, caller: Caller = Viewer, found: Product = Depends(product)  # noqa: B008
) -> JsonAnswer:
    """Compile a pipe query and return one page of its rows."""
    from trailhound.durations import DurationError, parse_duration
    from trailhound.query.compiler import compile_query
    from trailhound.query.saved_datasets import SavedDatasets

    started = time.perf_counter()
    limit = min(body.limit, found.settings.row_cap)
    try:
        since = parse_duration(body.since) if body.since else None
    except DurationError as error:
        raise Problem(400, f"since: {error.message}", kind="invalid-request") from error
    saved = SavedDatasets(found.state)
    try:
        compiled = compile_query(
            body.query, since=since, params=body.params, catalog=saved.lazy_catalog()
        )
    except QueryError as error:
        raise query_problem(error) from error
    if compiled.target is not None:
        raise Problem(400, "saving results (| target …) is not offered by the API",
                      kind="invalid-query")
    page = (
        exp.select("*")
        .from_(compiled.expression.subquery("page"))
        .limit(exp.Literal.number(limit + 1))
        .offset(exp.Literal.number(body.offset))
    )
    with found.query_engine() as engine:
        columns, rows = _timed(
            engine, found.settings.query_seconds, lambda: engine.execute(page)
        )
    return JsonAnswer(_page(columns, rows, body.offset, limit, started))


@router.post("/sql", response_class=JsonAnswer, summary="Run read-only SQL")
def run_sql(
    body: SqlRequest, caller: Caller = Viewer, found: Product = Depends(product)  # noqa: B008
) -> JsonAnswer:
    """Run one read-only SQL statement (as ``trailhound sql``) and return one page of rows."""
    started = time.perf_counter()
    limit = min(body.limit, found.settings.row_cap)
    with found.query_engine() as engine:
        columns, rows = _timed(
            engine,
            found.settings.query_seconds,
            lambda: engine.execute_read_only(body.sql, limit=limit + 1, offset=body.offset),
        )
    return JsonAnswer(_page(columns, rows, body.offset, limit, started))
