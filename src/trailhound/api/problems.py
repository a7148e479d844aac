"""RFC 9457 problem details: every error the API answers is ``application/problem+json``.

Handlers raise :class:`Problem` (or let a ``TrailhoundError`` through, which maps by kind);
``install_problem_handlers`` turns those, FastAPI's validation errors and Starlette's HTTP
errors into one shape: ``type``, ``title``, ``status``, ``detail`` and, for a query that does
not parse, the ``line`` and ``column`` it fails at.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from trailhound.errors import QueryError, TrailhoundError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://trailhound.dev/problems/"
logger = logging.getLogger(__name__)


class Problem(Exception):
    """An error answered as problem JSON."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind or HTTPStatus(status).phrase.lower().replace(" ", "-")
        self.extra = extra
        self.headers: dict[str, str] = {}


def problem_response(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """One problem document."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or HTTPStatus(status).phrase.lower().replace(" ", "-")),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def query_problem(error: QueryError) -> Problem:
    """A 400 for a query that does not compile, with the line and column it points at."""
    extra: dict[str, Any] = {}
    if error.query is not None and error.position is not None:
        start = error.query.rfind("\n", 0, error.position) + 1
        extra["line"] = error.query.count("\n", 0, error.position) + 1
        extra["column"] = error.position - start + 1
    if error.suggestion:
        extra["suggestion"] = error.suggestion
    return Problem(400, error.message, kind="invalid-query", **extra)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error the app meets as problem JSON."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(
            error.status,
            error.detail,
            kind=error.kind,
            instance=request.url.path,
            headers=error.headers or None,
            **error.extra,
        )

    @app.exception_handler(QueryError)
    async def _query(request: Request, error: QueryError) -> JSONResponse:
        return await _problem(request, query_problem(error))

    @app.exception_handler(TrailhoundError)
    async def _trailhound(request: Request, error: TrailhoundError) -> JSONResponse:
        # A refusal of the product (unknown alert, bad rule, bad setting) is the client's to fix.
        status = 404 if str(error).startswith("no ") else 400
        return problem_response(status, str(error), instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in error.errors()
        ]
        return problem_response(
            422,
            "the request body or parameters are not valid",
            kind="invalid-request",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        limit = getattr(error, "limit", None)  # a body over the limit says which limit
        return problem_response(
            error.status_code,
            str(error.detail),
            instance=request.url.path,
            headers=dict(error.headers or {}) or None,
            **({"limit": limit} if limit is not None else {}),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # The error's text may hold data; the log gets its type and place, the client nothing.
        logger.error(
            "unexpected error on %s: %s", request.url.path, type(error).__name__, exc_info=error
        )
        return problem_response(500, "internal error", instance=request.url.path)
