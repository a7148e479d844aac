"""The search page: a pipe query, its rows and a time histogram of the whole result.

The query compiles through the application object, as ``trailhound query`` does; a query that
does not compile is shown again with the parser's message under it, naming the line and column.
Rows come from the API's query workers (the same time limit), a page of at most ``SHOWN`` rows;
the histogram counts every row of the result, in one more bounded query.
"""

from __future__ import annotations

from concurrent.futures import BrokenExecutor
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlglot import exp

from trailhound.api.console.guard import ViewerSession
from trailhound.api.console.histogram import Histogram, draw, histogram_sql, time_column
from trailhound.api.console.render import render
from trailhound.api.console.sessions import Session
from trailhound.api.deps import Product
from trailhound.api.problems import query_problem
from trailhound.durations import DurationError
from trailhound.errors import QueryError

router = APIRouter()
SHOWN = 500  # rows shown on the page
EXAMPLE = "dataset = cloudtrail | comp count() as calls by eventName | sort calls desc | limit 20"


class SearchOutcome:
    """What the page shows for one query: rows, histogram, or the error and where it is."""

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.rows: list[tuple[Any, ...]] = []
        self.more = False
        self.histogram: Histogram | None = None
        self.error: str | None = None
        self.line: int | None = None
        self.column: int | None = None
        self.suggestion: str | None = None


def run_search(found: Product, text: str, since: str | None) -> SearchOutcome:
    """Compile and run a pipe query for the page; errors are kept, not raised."""
    outcome = SearchOutcome()
    try:
        compiled = found.app.compile(text, since=since or None)
        if compiled.target is not None:
            raise QueryError("saving results (| target …) is not offered by the console")
        page = (
            exp.select("*")
            .from_(compiled.expression.subquery("page"))
            .limit(exp.Literal.number(SHOWN + 1))
        )
        columns, rows = found.run_query(page.sql(dialect="duckdb"), user_sql=False)
        outcome.columns, outcome.rows = columns, rows[:SHOWN]
        outcome.more = len(rows) > SHOWN
        column = time_column(columns)
        if column is not None and rows:
            sql = histogram_sql(compiled.expression, column)
            _, buckets = found.run_query(sql, user_sql=False)
            outcome.histogram = draw(column, buckets)
    except QueryError as error:
        problem = query_problem(error)
        outcome.error = problem.detail
        outcome.line = problem.extra.get("line")
        outcome.column = problem.extra.get("column")
        outcome.suggestion = problem.extra.get("suggestion")
    except DurationError as error:
        outcome.error = f"since: {error.message}"
    except BrokenExecutor:
        outcome.error = "the query worker stopped (out of memory?): try a smaller query"
    return outcome


@router.get("/search")
def search_page(
    request: Request,
    session: Session = ViewerSession,
    q: str = Query("", max_length=64 * 1024),
    since: str = Query("", max_length=32),
) -> Response:
    """The query box, and the result of the query given."""
    found: Product = request.app.state.product
    outcome = run_search(found, q, since) if q.strip() else None
    return render(
        request,
        "search.html",
        query=q,
        since=since,
        example=EXAMPLE,
        outcome=outcome,
        shown=SHOWN,
        status_code=400 if outcome is not None and outcome.error else 200,
    )
