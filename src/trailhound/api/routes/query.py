"""``POST /query`` (the pipe language) and ``POST /sql`` (read-only SQL), paginated and bounded.

A page is at most the server's row cap; ``next_offset`` says where the next one starts. A query
running past the server's time limit is interrupted and answered 408. Values reach the query
only as the language's literals or bound parameters, never pasted into SQL text.
"""

from __future__ import annotations

import time
from concurrent.futures import BrokenExecutor
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlglot import exp

from trailhound.api.auth import Caller, Viewer
from trailhound.api.deps import Product, product
from trailhound.api.encoding import JsonAnswer
from trailhound.api.problems import Problem, query_problem
from trailhound.api.query_workers import QueryTimeout, Rows
from trailhound.errors import QueryError
from trailhound.store.engine import MAX_SQL_CHARS

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


def _run(found: Product, sql: str, *, user_sql: bool, limit: int = 0, offset: int = 0) -> Rows:
    """Run in a query worker; a query past the time limit is a 408."""
    try:
        return found.run_query(sql, user_sql=user_sql, limit=limit, offset=offset)
    except QueryTimeout as error:
        raise Problem(408, str(error), kind="query-timeout") from error
    except BrokenExecutor as error:
        raise Problem(
            503,
            "the query worker stopped (out of memory?): try a smaller query",
            kind="query-failed",
        ) from error


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
    body: QueryRequest,
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
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
        raise Problem(
            400, "saving results (| target …) is not offered by the API", kind="invalid-query"
        )
    page = (
        exp.select("*")
        .from_(compiled.expression.subquery("page"))
        .limit(exp.Literal.number(limit + 1))
        .offset(exp.Literal.number(body.offset))
    )
    columns, rows = _run(found, page.sql(dialect="duckdb"), user_sql=False)
    return JsonAnswer(_page(columns, rows, body.offset, limit, started))


@router.post("/sql", response_class=JsonAnswer, summary="Run read-only SQL")
def run_sql(
    body: SqlRequest,
    caller: Caller = Viewer,
    found: Product = Depends(product),  # noqa: B008
) -> JsonAnswer:
    """Run one read-only SQL statement (as ``trailhound sql``) and return one page of rows."""
    started = time.perf_counter()
    limit = min(body.limit, found.settings.row_cap)
    columns, rows = _run(found, body.sql, user_sql=True, limit=limit + 1, offset=body.offset)
    return JsonAnswer(_page(columns, rows, body.offset, limit, started))
