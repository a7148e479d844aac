"""Suppressions from the console: accept a suggested one in one click, or remove one.

The rules page shows the verdicts (precision per rule and per detector, the noisiest actors)
and the suggestions; each suggestion's button posts here with the session's CSRF token. Both
need an analyst, as triage does.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response

from trailhound.api.console.guard import AnalystSession, ConsoleError, check_csrf
from trailhound.api.console.sessions import Session
from trailhound.api.deps import Product
from trailhound.errors import TrailhoundError
from trailhound.incidents.suppressions import DEFAULT_DAYS

router = APIRouter()


def _product(request: Request) -> Product:
    found: Product = request.app.state.product
    return found


@router.post("/suppressions")
def accept_suppression(
    request: Request,
    session: Session = AnalystSession,
    csrf: str = Form("", max_length=200),
    rule_id: str = Form("", max_length=200),
    field: str = Form("", max_length=20),
    value: str = Form("", max_length=2000),
    reason: str = Form("", max_length=2000),
    days: int = Form(DEFAULT_DAYS, ge=1, le=366),
) -> Response:
    """Store a suppression (a suggestion accepted), then back to the rules page."""
    check_csrf(session, csrf)
    try:
        _product(request).app.add_suppression(
            rule_id, field, value, days=days, reason=reason, author=session.name
        )
    except TrailhoundError as error:
        raise ConsoleError(400, str(error)) from error
    return RedirectResponse("/rules#suppressions", status_code=303)


@router.post("/suppressions/{suppression_id}/delete")
def remove_suppression(
    request: Request,
    suppression_id: str = PathParam(pattern=r"^sp-[0-9a-f]{1,32}$"),
    session: Session = AnalystSession,
    csrf: str = Form("", max_length=200),
) -> Response:
    """Remove a suppression: the rule alerts on those matches again."""
    check_csrf(session, csrf)
    try:
        _product(request).app.remove_suppression(suppression_id)
    except TrailhoundError as error:
        raise ConsoleError(404, str(error)) from error
    return RedirectResponse("/rules#suppressions", status_code=303)
